using System.Globalization;

namespace Ebpf.Examples.Tcptop.Bench;

/// <summary>
/// Where `tcptop bench` runs its traffic: a network namespace of its own (loopback only), the client and the server
/// pinned to two CPUs (taskset) unless told not to. Dispose stops what it started and deletes the namespace.
/// </summary>
internal sealed class BenchLab : IDisposable
{
    private readonly List<RunningTool> started = [];

    public BenchLab(bool pin)
    {
        Pin = pin && Environment.ProcessorCount >= 2;
        Netns = $"tcptop-bench-{Environment.ProcessId}";
        NetNs.Add(Netns);
        Tool.Run("ip", "-n", Netns, "link", "set", "lo", "up");
    }

    public string Netns { get; }
    public bool Pin { get; }
    public const int ClientCpu = 0, ServerCpu = 1;

    /// <summary>Starts a tool in the namespace, on <paramref name="cpu"/> when pinning.</summary>
    public RunningTool Start(int cpu, string file, params string[] args)
    {
        string[] command = Pin ? ["taskset", "-c", cpu.ToString(CultureInfo.InvariantCulture), file, .. args] : [file, .. args];
        var p = NetNs.StartIn(null, Netns, command[0], command[1..]);
        started.Add(p);
        return p;
    }

    /// <summary>Waits until something listens on <paramref name="port"/> in the namespace.</summary>
    public void WaitForListener(int port, RunningTool server)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < until)
        {
            if (server.HasExited)
                throw new ToolException($"the server for port {port} exited: {server.Stderr.Trim()}");
            var ss = Tool.TryRun("ip", "netns", "exec", Netns, "ss", "-Htln", $"sport = :{port}");
            if (ss.ExitCode == 0 && ss.Stdout.Trim().Length > 0)
                return;
            Thread.Sleep(50);
        }
        throw new ToolException($"nothing listens on port {port} in {Netns}");
    }

    public void Dispose()
    {
        foreach (var p in started)
        {
            p.Dispose(); // kills it if it still runs
        }
        NetNs.Delete(Netns);
    }
}
