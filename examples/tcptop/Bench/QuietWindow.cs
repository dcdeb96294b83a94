using System.Diagnostics;

namespace Ebpf.Examples.Tcptop.Bench;

/// <summary>
/// Keeps the bench's own process out of the traffic it measures. The client and server are pinned to the two CPUs
/// of a small machine, so any CPU this process takes during a run is taken from them. <see cref="Settle"/> runs
/// before a client starts: it collects garbage and gives the tiered JIT's background compiles time to finish.
/// <see cref="OwnCpu"/> is this process's CPU time so far, read before and after the client runs, which the
/// results report (this process only waits meanwhile).
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

    public static TimeSpan OwnCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
