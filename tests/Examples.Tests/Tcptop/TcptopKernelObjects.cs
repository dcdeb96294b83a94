using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// The programs and links one running tcptop holds, read from its /proc/PID/fdinfo (prog_id of each program fd,
/// link_id of each link fd): other tcptop instances on the machine (other test runs) are never mistaken for it. After
/// it ends, bpftool (the test's oracle) must find none of them.
/// </summary>
internal sealed record TcptopKernelObjects(IReadOnlyList<uint> Programs, IReadOnlyList<uint> Links)
{
    public const int ProgramCount = 7; // send, recv, state, retransmit, exit, exec, cgroup move

    /// <summary>What process <paramref name="pid"/> holds now.</summary>
    public static TcptopKernelObjects Of(int pid)
    {
        var programs = new List<uint>();
        var links = new List<uint>();
        foreach (var info in Directory.EnumerateFiles($"/proc/{pid}/fdinfo"))
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(info);
            }
            catch (IOException)
            {
                continue; // closed meanwhile
            }
            var field = (string name) => lines.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..].Trim();
            if (field("link_id") is { } link)
                links.Add(uint.Parse(link));
            else if (field("prog_id") is { } prog)
                programs.Add(uint.Parse(prog));
        }
        return new TcptopKernelObjects(programs, links);
    }

    /// <summary>Waits until <paramref name="pid"/> holds all seven programs attached through seven links.</summary>
    public static TcptopKernelObjects WaitAttached(int pid, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        var objects = Of(pid);
        while ((objects.Programs.Count < ProgramCount || objects.Links.Count < ProgramCount) && DateTime.UtcNow < until)
        {
            Thread.Sleep(200);
            objects = Of(pid);
        }
        Assert.True(objects.Programs.Count == ProgramCount && objects.Links.Count == ProgramCount,
            $"tcptop (pid {pid}) holds {objects.Programs.Count} programs and {objects.Links.Count} links, expected {ProgramCount} of each");
        return objects;
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
}
