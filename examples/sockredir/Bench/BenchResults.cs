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

    internal static double Mid(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}

/// <summary>
/// Redirected against plain, higher is better (latency: plain / redirected), each the median over rounds of the ratio
/// within a round. A round measures plain and then redirected back to back, so a slow spell of the machine (this VM
/// has them: small writes with TCP_NODELAY run at about half speed for both paths for seconds at a time) lands in
/// both halves of one pair and cancels out, where a ratio of two separate medians would compare different spells.
/// </summary>
internal sealed record PairedRatios(double Throughput, double ThroughputNoDelay, double P50, double P50NoDelay, double TpsNoDelay)
{
    public static PairedRatios Of(IReadOnlyList<ModeFigures> plain, IReadOnlyList<ModeFigures> redirected)
    {
        var pairs = plain.Zip(redirected).ToList();
        double Mid(Func<ModeFigures, ModeFigures, double> ratio) => ModeFigures.Mid(pairs.Select(p => ratio(p.First, p.Second)));
        return new(
            Mid((p, r) => Div(r.ThroughputGbps, p.ThroughputGbps)),
            Mid((p, r) => Div(r.ThroughputNoDelayGbps, p.ThroughputNoDelayGbps)),
            Mid((p, r) => Div(p.Latency.P50Micros, r.Latency.P50Micros)),
            Mid((p, r) => Div(p.LatencyNoDelay.P50Micros, r.LatencyNoDelay.P50Micros)),
            Mid((p, r) => Div(r.LatencyNoDelay.TransactionsPerSecond, p.LatencyNoDelay.TransactionsPerSecond)));
    }

    private static double Div(double a, double b) => b > 0 ? a / b : 0;
}

/// <summary>One message size: plain loopback TCP and redirected, measured back to back, round by round.</summary>
/// <param name="PlainRounds">Each round's plain figures.</param>
/// <param name="RedirectedRounds">Each round's redirected figures, measured right after the same round's plain ones.</param>
/// <param name="PassedBytes">Bytes the program handed to TCP in the redirected runs (no peer, or the socket already on
/// TCP: demoted for small writes).</param>
internal sealed record SizeResult(int Size, IReadOnlyList<ModeFigures> PlainRounds, IReadOnlyList<ModeFigures> RedirectedRounds,
    ulong RedirectedBytes, ulong PassedBytes, ulong DemotedSockets)
{
    /// <summary>Median of the plain rounds, figure by figure.</summary>
    public ModeFigures Plain { get; } = ModeFigures.Median(PlainRounds);

    /// <summary>Median of the redirected rounds, figure by figure.</summary>
    public ModeFigures Redirected { get; } = ModeFigures.Median(RedirectedRounds);

    /// <summary>Redirected against plain, paired within rounds (see <see cref="PairedRatios"/>).</summary>
    public PairedRatios Ratios { get; } = PairedRatios.Of(PlainRounds, RedirectedRounds);

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
    IReadOnlyList<SizeResult> Sizes);
