using System.Globalization;
using Ebpf.Programs;
using Xunit;

namespace Ebpf.Testing;

/// <summary>
/// What a <see cref="TestRun"/> gave: the verdict, the frame as the program left it, and the difference field by field.
/// The Should* methods assert (failing the test through xunit with the whole picture in the message) and return this,
/// so they chain.
/// </summary>
public sealed class TestRunOutcome
{
    private readonly BpfProgram program;
    private FrameDiff? diff;

    internal TestRunOutcome(BpfProgram program, Frame input, TestRunResult result)
    {
        this.program = program;
        Input = input;
        Result = result;
        Output = Frame.Parse(result.Packet);
    }

    /// <summary>The runtime's result: return value, output bytes, context, duration.</summary>
    public TestRunResult Result { get; }

    /// <summary>The program's return value.</summary>
    public uint ReturnValue => Result.ReturnValue;

    /// <summary>The return value read as an XDP verdict.</summary>
    public XdpAction XdpAction => Result.XdpAction;

    /// <summary>The frame the program ran on.</summary>
    public Frame Input { get; }

    /// <summary>The frame as the program left it.</summary>
    public Frame Output { get; }

    /// <summary>What the program changed, field by field.</summary>
    public FrameDiff Diff => diff ??= FrameDiff.Between(Input, Output);

    /// <summary>Fails unless the program returned <paramref name="verdict"/>.</summary>
    public TestRunOutcome ShouldReturn(XdpAction verdict)
    {
        if (XdpAction != verdict)
            Fail($"expected XDP verdict {verdict}, got {Verdict()}");
        return this;
    }

    /// <summary>Fails unless the program returned <paramref name="value"/> (TC_ACT_OK = 0, TC_ACT_SHOT = 2, a socket filter's length, ...).</summary>
    public TestRunOutcome ShouldReturn(uint value)
    {
        if (ReturnValue != value)
            Fail($"expected return value {value}, got {ReturnValue}");
        return this;
    }

    /// <summary>Fails unless <paramref name="field"/> of the output frame is <paramref name="value"/> and differs from the input's.</summary>
    public TestRunOutcome ShouldChange(string field, string value)
    {
        if (!Output.TryGet(field, out var now))
            Fail($"expected {field} to become {value}, but the output frame has no {field}");
        else if (now != value)
            Fail($"expected {field} to become {value}, it is {now}");
        else if (Diff[field] is null)
            Fail($"expected {field} to change to {value}, but the input already had {value}");
        return this;
    }

    /// <summary>Fails unless <paramref name="field"/> is the same in the input and output frames.</summary>
    public TestRunOutcome ShouldNotChange(string field)
    {
        if (Diff[field] is { } change)
            Fail($"expected {field} unchanged, it changed: {change}");
        return this;
    }

    /// <summary>
    /// Fails unless the fields that changed are exactly <paramref name="fields"/> (checksums included: a rewrite
    /// that forgets one shows here).
    /// </summary>
    public TestRunOutcome ShouldChangeOnly(params string[] fields)
    {
        var changed = Diff.Fields.ToHashSet();
        var unexpected = changed.Except(fields).ToArray();
        var missing = fields.Except(changed).ToArray();
        if (unexpected.Length > 0 || missing.Length > 0)
            Fail("expected exactly these fields to change: " + string.Join(", ", fields)
                 + (unexpected.Length > 0 ? $"; also changed: {string.Join(", ", unexpected)}" : "")
                 + (missing.Length > 0 ? $"; unchanged: {string.Join(", ", missing)}" : ""));
        return this;
    }

    /// <summary>Fails unless the output frame equals the input byte for byte.</summary>
    public TestRunOutcome ShouldLeaveFrameUnchanged()
    {
        if (!Input.Bytes.AsSpan().SequenceEqual(Result.Packet))
            Fail("expected the frame unchanged");
        return this;
    }

    /// <summary>Fails unless the output frame equals <paramref name="expected"/> byte for byte; the message lists the differing fields.</summary>
    public TestRunOutcome ShouldOutput(byte[] expected)
    {
        if (!expected.AsSpan().SequenceEqual(Result.Packet))
            Fail("the output frame differs from the expected one, field by field (expected -> output):\n"
                 + Indent(FrameDiff.Between(Frame.Parse(expected), Output).ToString()));
        return this;
    }

    /// <summary><see cref="ShouldOutput(byte[])"/> with the frame <paramref name="expected"/> builds.</summary>
    public TestRunOutcome ShouldOutput(PacketBuilder expected) => ShouldOutput(expected.Build());

    /// <summary>Fails unless every checksum in the output frame (IPv4, TCP, UDP, ICMP, ICMPv6) matches its bytes.</summary>
    public TestRunOutcome ShouldHaveValidChecksums()
    {
        if (Output.ChecksumErrors.Count > 0)
            Fail("the output frame has wrong checksums: " + string.Join("; ", Output.ChecksumErrors));
        return this;
    }

    /// <summary>The verdict, the changes and the checksum errors, as the failure messages print them.</summary>
    public override string ToString() =>
        $"{program.Name}: {Verdict()}, output {Result.Packet.Length} bytes (input {Input.Bytes.Length})\n"
        + $"changes (input -> output):\n{Indent(Diff.ToString())}"
        + (Output.ChecksumErrors.Count > 0 ? "\nchecksum errors in the output:\n" + Indent(string.Join("\n", Output.ChecksumErrors)) : "");

    private string Verdict() => program.Type == Ebpf.Object.ProgramType.Xdp && Enum.IsDefined(XdpAction)
        ? $"{XdpAction} ({ReturnValue.ToString(CultureInfo.InvariantCulture)})"
        : $"return value {ReturnValue.ToString(CultureInfo.InvariantCulture)}";

    private static string Indent(string text) => string.Join("\n", text.Split('\n').Select(l => "  " + l));

    private void Fail(string what) => Assert.Fail($"{what}\n{this}");
}
