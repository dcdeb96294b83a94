using Ebpf.Examples.Sockredir.Redirector;
using static Ebpf.Examples.Sockredir.SockredirSkel.SpliceStat;

namespace Ebpf.Examples.Sockredir.Bench;

/// <summary>What to measure.</summary>
internal sealed record BenchOptions(IReadOnlyList<int> Sizes, TimeSpan ThroughputRun, TimeSpan LatencyRun, Placement Placement, int Rounds, string OutDir, string Command)
{
    /// <summary>1 B to 1 MiB, including the sizes where a naive sk_msg program stalls (40,000 to 65,535 bytes).</summary>
    public static readonly int[] FullSizes = [1, 64, 256, 1024, 2048, 4096, 16384, 32768, 40000, 49152, 65535, 65536, 131072, 1048576];

    /// <summary>`bench --quick`: a small, a stall-range and a large size, in well under a minute.</summary>
    public static readonly int[] QuickSizes = [64, 40000, 65535, 1048576];
}

/// <summary>
/// Runs every size in plain and redirected mode, alternating, in one lab: iperf3 with Nagle on and off for
/// throughput; request/response with Nagle on and off for latency percentiles and transactions per second (sockperf
/// where it can send the size, the app's ping-pong elsewhere). Every tool runs with the same CPU placement. With
/// several rounds, plain and redirected alternate round by round; every figure is the median of its rounds and every
/// ratio the median of the rounds' ratios (<see cref="PairedRatios"/>): single iperf3 runs are bimodal on a VM (seen:
/// 9 or 22 Gbit/s for the same redirected run at 16 KiB; 115 or 230 Mbit/s for both paths at 64 B with TCP_NODELAY).
/// </summary>
internal sealed class BenchRunner(SocketRedirector redirector, BenchOptions options)
{
    private int nextPort = 20000;

    /// <summary>Measurements in a run: plain and redirected, for each size, in each round.</summary>
    public int Steps => options.Sizes.Count * options.Rounds * 2;

    /// <summary>Measures every size; <paramref name="step"/> is told as each measurement starts (for a progress display).</summary>
    public BenchReport Run(Action<string> step)
    {
        using var lab = new BenchLab(redirector);
        var started = DateTime.UtcNow;
        var results = new List<SizeResult>();
        foreach (var size in options.Sizes)
        {
            var plain = new List<ModeFigures>();
            var redirected = new List<ModeFigures>();
            var before = redirector.ReadStats();
            for (var round = 0; round < options.Rounds; round++)
            {
                var of = options.Rounds > 1 ? $", round {round + 1}/{options.Rounds}" : "";
                step($"{size} B plain{of}");
                plain.Add(Measure(lab, redirected: false, size));
                step($"{size} B redirected{of}");
                redirected.Add(Measure(lab, redirected: true, size));
            }
            var delta = redirector.ReadStats().Since(before);
            results.Add(new SizeResult(size, plain, redirected,
                delta[StatRedirectedBytes], delta[StatPassedNoPeerBytes] + delta[StatPassedTcpBoundBytes], delta[StatDemoted]));
        }
        return new BenchReport(options.Command, started, File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
            Environment.ProcessorCount, options.Placement.Describe(), options.Rounds, options.ThroughputRun.TotalSeconds, options.LatencyRun.TotalSeconds,
            results);
    }

    private ModeFigures Measure(BenchLab lab, bool redirected, int size)
    {
        var at = options.Placement;
        var nagle = Iperf3.Measure(lab, redirected, at, NextPort(), size, options.ThroughputRun, noDelay: false);
        var noDelay = Iperf3.Measure(lab, redirected, at, NextPort(), size, options.ThroughputRun, noDelay: true);
        return new ModeFigures(nagle / 1e9, noDelay / 1e9, Latency(false), Latency(true));

        LatencyFigures Latency(bool nd) => Sockperf.Supports(size)
            ? Sockperf.Measure(lab, redirected, at, NextPort(), size, options.LatencyRun, nd)
            : PingPongRunner.Measure(lab, redirected, at, NextPort(), size, options.LatencyRun, nd);
    }

    // A fresh port per run: no TIME_WAIT or lingering server can answer for the next one.
    private int NextPort() => nextPort++;
}
