using Ebpf.Examples.Sockredir.Linux;
using Ebpf.Examples.Sockredir.Redirector;

namespace Ebpf.Examples.Sockredir.Bench;

/// <summary>
/// A place of its own for the benchmark: a network namespace (only its loopback, nothing else on the machine
/// disturbs or is disturbed), and two sibling cgroups, `plain` and `redirected`, with the redirector attached
/// to the second only. Both ends of a measured connection run in one of the two, so plain and redirected runs
/// can alternate size by size in the same run. Dispose removes all of it.
/// </summary>
internal sealed class BenchLab : IDisposable
{
    private readonly string home;
    private readonly List<RunningTool> started = [];

    public BenchLab(SocketRedirector redirector)
    {
        var name = $"sockredir-bench-{Environment.ProcessId}";
        Netns = name;
        home = Cgroups.Of(Environment.ProcessId);
        Parent = Path.Combine(Cgroups.Root(), name);
        try
        {
            NetNs.Add(Netns);
            Directory.CreateDirectory(Parent);
            PlainCgroup = Path.Combine(Parent, "plain");
            RedirectedCgroup = Path.Combine(Parent, "redirected");
            Directory.CreateDirectory(PlainCgroup);
            Directory.CreateDirectory(RedirectedCgroup);
            redirector.Attach(RedirectedCgroup);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Netns { get; }
    public string Parent { get; }
    public string PlainCgroup { get; } = "";
    public string RedirectedCgroup { get; } = "";

    public string CgroupFor(bool redirected) => redirected ? RedirectedCgroup : PlainCgroup;

    /// <summary>
    /// Starts a process inside the lab's namespace and the chosen cgroup, pinned to <paramref name="cpu"/> when given;
    /// killed on Dispose if still running.
    /// </summary>
    public RunningTool Start(bool redirected, int? cpu, string file, params string[] args)
    {
        var (pinnedFile, pinnedArgs) = Placement.On(cpu, file, args);
        var p = NetNs.StartIn(CgroupFor(redirected), Netns, pinnedFile, pinnedArgs);
        lock (started)
            started.Add(p);
        return p;
    }

    /// <summary>Waits until something listens on TCP <paramref name="port"/> in the lab's namespace.</summary>
    public void WaitForListener(int port, RunningTool server)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (server.HasExited)
                throw new ToolException($"the server for port {port} exited early: {server.Stderr.Trim()}");
            if (Tool.TryRun("ip", "netns", "exec", Netns, "ss", "-Hltn", $"sport = :{port}").Stdout.Trim().Length > 0)
                return;
            Thread.Sleep(20);
        }
        throw new ToolException($"nothing listens on port {port} in {Netns} after 10 s");
    }

    public void Dispose()
    {
        lock (started)
        {
            foreach (var p in started)
            {
                p.Dispose(); // kills it if it still runs
            }
            started.Clear();
        }
        NetNs.Delete(Netns);
        Cgroups.Remove(Parent, home);
    }
}
