using System.Text.Json;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// The programs and links of one running tcptop, found with bpftool (the test's oracle, independent of the app): the
/// tcptop_* programs that appeared after it started (the tcptop tests run one at a time, so no other tcptop loads
/// programs meanwhile), and the links that hold them.
/// </summary>
internal sealed record TcptopKernelObjects(IReadOnlyList<uint> Programs, IReadOnlyList<uint> Links)
{
    public static readonly string[] ProgramNames = ["tcptop_send", "tcptop_recv", "tcptop_state", "tcptop_retransmit", "tcptop_exit"];

    /// <summary>The ids of every loaded tcptop_* program now.</summary>
    public static HashSet<uint> ProgramIds() =>
        Items(Bpftool("prog", "show")).Where(p => p.TryGetProperty("name", out var n) && ProgramNames.Contains(n.GetString()))
            .Select(p => p.GetProperty("id").GetUInt32()).ToHashSet();

    /// <summary>The programs loaded since <paramref name="before"/> and their links: one of each name, each attached once.</summary>
    public static TcptopKernelObjects Since(HashSet<uint> before)
    {
        var programs = ProgramIds().Except(before).ToArray();
        Assert.True(programs.Length == ProgramNames.Length, $"{programs.Length} new tcptop programs, expected {ProgramNames.Length}");
        var links = Items(Bpftool("link", "show")).Where(l => programs.Contains(l.GetProperty("prog_id").GetUInt32()))
            .Select(l => l.GetProperty("id").GetUInt32()).ToArray();
        Assert.True(links.Length == ProgramNames.Length, $"{links.Length} links hold the new tcptop programs, expected {ProgramNames.Length}");
        return new TcptopKernelObjects(programs, links);
    }

    /// <summary>Waits for every program and link to go (the kernel frees programs after an RCU grace period); what is left.</summary>
    public IReadOnlyList<string> WaitGone(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        IReadOnlyList<string> left;
        while ((left = StillPresent()).Count > 0 && DateTime.UtcNow < until)
            Thread.Sleep(100);
        return left;
    }

    private IReadOnlyList<string> StillPresent() =>
        Programs.Where(p => Exists("prog", p)).Select(p => $"program {p}")
            .Concat(Links.Where(l => Exists("link", l)).Select(l => $"link {l}")).ToArray();

    private static bool Exists(string kind, uint id) => HostCommand.Run("bpftool", kind, "show", "id", id.ToString()).Succeeded;

    private static IEnumerable<JsonElement> Items(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array ? e.EnumerateArray() : e.ValueKind == JsonValueKind.Undefined ? [] : [e];

    private static JsonElement Bpftool(params string[] args)
    {
        var stdout = HostCommand.Check("bpftool", ["-j", .. args]);
        return string.IsNullOrWhiteSpace(stdout) ? default : JsonDocument.Parse(stdout).RootElement.Clone();
    }
}
