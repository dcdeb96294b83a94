using System.Diagnostics;

namespace Ebpf.Examples.Tcptop.Bench;

/// <summary>
/// Keeps the bench's own process out of the traffic it measures. The client and server are pinned to the two CPUs
/// of a small machine, so any CPU this process takes during a run is taken from them. <see cref="Settle"/> runs
/// before a client starts: it collects garbage and gives the tiered JIT's background compiles time to finish.
/// <see cref="OwnCpu"/> is this process's CPU time so far, read when the client's counted part begins
/// (<see cref="OwnCpuAfter"/>) and when it has exited; the results report the difference. Starting the client
/// costs this process some CPU (spawning through CliWrap), but within the part the tools leave uncounted.
/// </summary>
internal static class QuietWindow
{
    public static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Thread.Sleep(200); // tier-1 recompiles of what just ran happen on a background thread within ~100 ms
    }

    /// <summary>Waits <paramref name="warmUp"/> (the client's uncounted start), then <see cref="OwnCpu"/>.</summary>
    public static TimeSpan OwnCpuAfter(TimeSpan warmUp, Ebpf.Examples.Linux.RunningTool client)
    {
        client.WaitForExit(warmUp);
        return OwnCpu();
    }

    public static TimeSpan OwnCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
