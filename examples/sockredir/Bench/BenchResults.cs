namespace Ebpf.Examples.Sockredir.Bench;

/// <summary>One mode's figures for one message size.</summary>
internal sealed record ModeFigures(
    double ThroughputGbps,          // iperf3, Nagle on
    double ThroughputNoDelayGbps,   // iperf3 -N
    LatencyFigures Latency,         // request/response, Nagle on
    LatencyFigures LatencyNoDelay)  // request/response, TCP_NODELAY
{
    /// <summary>Each figure the median of its rounds (rounds are few: the middle one, or the mean of the middle two).</summary>
    public static ModeFigures Median(IReadOnlyList<ModeFigures> rounds) => new(
        Mid(rounds.Select(r => r.ThroughputGbps)),
        Mid(rounds.Select(r => r.ThroughputNoDelayGbps)),
        Median(rounds.Select(r => r.Latency).ToList()),
        Median(rounds.Select(r => r.LatencyNoDelay).ToList()));

    private static LatencyFigures Median(List<LatencyFigures> l) =>
        new(l[0].Tool, Mid(l.Select(f => f.P50Micros)), Mid(l.Select(f => f.P99Micros)), Mid(l.Select(f => f.TransactionsPerSecond)));

    private static double Mid(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}

/// <summary>One message size: plain loopback TCP and redirected, measured back to back.</summary>
/// <param name="PassedBytes">Bytes the program handed to TCP in the redirected runs (no peer, or the socket already on
/// TCP: demoted for small writes).</param>
internal sealed record SizeResult(int Size, ModeFigures Plain, ModeFigures Redirected, ulong RedirectedBytes, ulong PassedBytes, ulong DemotedSockets)
{
    /// <summary>False when the redirected runs moved no byte through the program: their figures would be plain TCP's.</summary>
    public bool WasRedirected => RedirectedBytes > 0;

    /// <summary>Share of the redirected runs' bytes that were redirected, 0 to 1.</summary>
    public double RedirectedShare => RedirectedBytes + PassedBytes is var all and > 0 ? (double)RedirectedBytes / all : 0;
}

/// <summary>A whole run: what was measured, where, and how.</summary>
internal sealed record BenchReport(
    string Command,
    DateTime StartedUtc,
    string Kernel,
    int Cpus,
    string Placement,
    int Rounds,
    double SecondsPerThroughputRun,
    double SecondsPerLatencyRun,
    string Loader,
    IReadOnlyList<SizeResult> Sizes);
