using System.Text.Json;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Sockredir;

/// <summary>
/// The kernel objects of one running `sockredir run`, found through bpftool (the test's oracle, independent of the
/// app): the sock_ops program on its cgroup, its SOCKHASH, the sk_msg program on that map, and both BPF links. Found
/// from the cgroup outwards, so another redirector loaded at the same time (another test, a benchmark) is never
/// mistaken for this one.
/// </summary>
internal sealed record KernelObjects(uint SockOpsProg, uint MsgProg, uint SockHash, uint SockOpsLink, uint MsgLink)
{
    /// <summary>Reads the objects of the redirector attached to <paramref name="cgroup"/>; fails the test when any is missing.</summary>
    public static KernelObjects Of(string cgroup)
    {
        var sockOps = Items(Bpftool("cgroup", "show", cgroup))
            .Where(p => p.GetProperty("attach_type").GetString() == "cgroup_sock_ops")
            .Select(p => p.GetProperty("id").GetUInt32())
            .ToArray();
        Assert.True(sockOps.Length == 1, $"{cgroup} has {sockOps.Length} sock_ops programs, expected the redirector's one");
        var sockHash = MapIds(Bpftool("prog", "show", "id", sockOps[0]))
            .Single(m => Bpftool("map", "show", "id", m.ToString()).GetProperty("type").GetString() == "sockhash");
        // The verdict program of this run is the sockredir_msg that uses this run's SOCKHASH.
        var msg = Items(Bpftool("prog", "show", "name", "sockredir_msg"))
            .Where(p => MapIds(p).Contains(sockHash))
            .Select(p => p.GetProperty("id").GetUInt32())
            .Single();
        var links = Items(Bpftool("link", "show")).ToArray();
        return new KernelObjects(sockOps[0], msg, sockHash, LinkOf(links, sockOps[0]), LinkOf(links, msg));
    }

    /// <summary>Which of these objects still exist (empty once the kernel has let go of all of them).</summary>
    public IReadOnlyList<string> StillPresent() =>
        new[] { ("prog", SockOpsProg, "sock_ops program"), ("prog", MsgProg, "sk_msg program"), ("map", SockHash, "sockhash"),
                ("link", SockOpsLink, "cgroup link"), ("link", MsgLink, "sockmap link") }
            .Where(o => Exists(o.Item1, o.Item2))
            .Select(o => $"{o.Item3} {o.Item2}")
            .ToArray();

    /// <summary>Waits up to <paramref name="timeout"/> for all of them to go (the kernel frees programs after an RCU grace period).</summary>
    public IReadOnlyList<string> WaitGone(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        var left = StillPresent();
        while (left.Count > 0 && DateTime.UtcNow < until)
        {
            Thread.Sleep(100);
            left = StillPresent();
        }
        return left;
    }

    private static uint LinkOf(JsonElement[] links, uint prog)
    {
        var ids = links.Where(l => l.GetProperty("prog_id").GetUInt32() == prog).Select(l => l.GetProperty("id").GetUInt32()).ToArray();
        Assert.True(ids.Length == 1, $"program {prog} has {ids.Length} BPF links, expected one");
        return ids[0];
    }

    private static bool Exists(string kind, uint id) => HostCommand.Run("bpftool", kind, "show", "id", id.ToString()).Succeeded;

    private static uint[] MapIds(JsonElement prog) =>
        prog.TryGetProperty("map_ids", out var ids) ? ids.EnumerateArray().Select(i => i.GetUInt32()).ToArray() : [];

    /// <summary>bpftool prints an object for one id, an array for a list, and nothing for an empty cgroup.</summary>
    private static IEnumerable<JsonElement> Items(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array ? e.EnumerateArray() : e.ValueKind == JsonValueKind.Undefined ? [] : [e];

    private static JsonElement Bpftool(params object[] args)
    {
        var stdout = HostCommand.Check("bpftool", ["-j", .. args.Select(a => a.ToString()!)]);
        return string.IsNullOrWhiteSpace(stdout) ? default : JsonDocument.Parse(stdout).RootElement.Clone();
    }
}
