using Ebpf.Programs;

namespace Ebpf.Testing;

/// <summary>
/// A fluent BPF_PROG_TEST_RUN of a loaded program (XDP, tc, socket filter, cgroup skb) on a frame:
/// <code>
/// TestRun.Of(skel.Programs.Balance)
///     .WithFrame(PacketBuilder.Ethernet().Ipv4("10.0.0.1", "10.0.0.100").Tcp(40000, 80))
///     .Run()
///     .ShouldReturn(XdpAction.Tx)
///     .ShouldChange("ipv4.dst", "10.0.0.2")
///     .ShouldHaveValidChecksums();
/// </code>
/// Each assertion that fails says what was expected and prints the verdict and the frame's changes field by field.
/// </summary>
public sealed class TestRun
{
    private readonly BpfProgram program;
    private byte[]? frame;
    private byte[] context = [];
    private int repeat = 1;

    private TestRun(BpfProgram program) => this.program = program;

    /// <summary>Starts a test run of <paramref name="program"/>, which must be loaded.</summary>
    public static TestRun Of(BpfProgram program) => new(program ?? throw new ArgumentNullException(nameof(program)));

    /// <summary>The frame the program runs on (starting with its Ethernet header).</summary>
    public TestRun WithFrame(byte[] bytes)
    {
        frame = bytes ?? throw new ArgumentNullException(nameof(bytes));
        return this;
    }

    /// <summary>The frame <paramref name="builder"/> builds.</summary>
    public TestRun WithFrame(PacketBuilder builder) => WithFrame(builder.Build());

    /// <summary>The input context (an xdp_md or __sk_buff as bytes), for programs that read e.g. the ingress ifindex.</summary>
    public TestRun WithContext(byte[] bytes)
    {
        context = bytes ?? throw new ArgumentNullException(nameof(bytes));
        return this;
    }

    /// <summary>How many times the kernel runs the program (the result is the last run's; the duration the average).</summary>
    public TestRun Repeat(int times)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        repeat = times;
        return this;
    }

    /// <summary>Runs the program in the kernel on the frame.</summary>
    public TestRunOutcome Run()
    {
        var input = frame ?? throw new InvalidOperationException("no frame: call WithFrame before Run");
        var result = program.TestRun(input, repeat, context);
        return new TestRunOutcome(program, Frame.Parse(input), result);
    }
}
