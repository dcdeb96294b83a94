using System.Diagnostics;

namespace Ebpf.Examples.Tcptop.Bench;

/// <summary>
/// Keeps the bench's own process out of the traffic it measures. The client and server are pinned to the two CPUs
/// of a small machine, so any CPU this process takes during a run is taken from them: before each run it collects
/// its garbage and gives the tiered JIT's background compiles time to finish, then measures how much CPU it used
/// while the run went on, which the results report.
/// </summary>
internal static class QuietWindow
{
    /// <summary>Runs <paramref name="measure"/> with the process settled; returns its result and this process's CPU time during it.</summary>
    public static (T Result, TimeSpan OwnCpu) Run<T>(Func<T> measure)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Thread.Sleep(200); // tier-1 recompiles of what just ran happen on a background thread within ~100 ms
        using var self = Process.GetCurrentProcess();
        var before = self.TotalProcessorTime;
        var result = measure();
        self.Refresh();
        return (result, self.TotalProcessorTime - before);
    }
}
