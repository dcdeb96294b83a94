using System.Text.Json.Serialization;

namespace Ebpf.Examples.Tcptop.Bench;

/// <summary>One measurement of the traffic figures, with the programs attached or not, and the CPU time the bench's
/// own process used while the three clients ran (it only waits meanwhile: see QuietWindow).</summary>
internal sealed record TrafficFigures(double SmallWritesBitsPerSecond, double LargeWritesBitsPerSecond, double P50Microseconds, double P99Microseconds,
    double BenchCpuMilliseconds);

/// <summary>One round: the same measurements without and with tcptop's programs, back to back.</summary>
internal sealed record BenchRound(TrafficFigures Without, TrafficFigures With)
{
    public double SmallRatio => With.SmallWritesBitsPerSecond / Without.SmallWritesBitsPerSecond;
    public double LargeRatio => With.LargeWritesBitsPerSecond / Without.LargeWritesBitsPerSecond;
    public double P50Delta => With.P50Microseconds - Without.P50Microseconds;
    public double P99Delta => With.P99Microseconds - Without.P99Microseconds;
}

/// <summary>Run time over run count of one program while iperf3 ran (BPF_ENABLE_STATS on only for this part): the
/// median over the runs, and the runs of the median run.</summary>
internal sealed record EventCost(string Program, ulong Runs, double NanosecondsPerRun);

/// <summary>Scrapes of `tcptop export` with this many per-process series.</summary>
internal sealed record ScrapeCost(int Series, double MedianMilliseconds, double MaxMilliseconds, int Scrapes);

internal sealed record BenchResults(
    string Command, DateTime Time, bool Pinned, double SecondsPerRun, IReadOnlyList<BenchRound> Rounds,
    IReadOnlyList<EventCost> EventCosts, ScrapeCost Scrape)
{
    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    // Each round's own ratio, then the median: a slow spell of the VM hits both halves of a round alike.
    public double SmallRatio => Median(Rounds.Select(r => r.SmallRatio));
    public double LargeRatio => Median(Rounds.Select(r => r.LargeRatio));
    public double P50Delta => Median(Rounds.Select(r => r.P50Delta));
    public double P99Delta => Median(Rounds.Select(r => r.P99Delta));
    public double SmallWithout => Median(Rounds.Select(r => r.Without.SmallWritesBitsPerSecond));
    public double LargeWithout => Median(Rounds.Select(r => r.Without.LargeWritesBitsPerSecond));
    public double P50Without => Median(Rounds.Select(r => r.Without.P50Microseconds));
    public double P99Without => Median(Rounds.Select(r => r.Without.P99Microseconds));

    /// <summary>Send and receive programs together: the cost of one counted socket call.</summary>
    public double NanosecondsPerEvent => PerRun("send", "recv");

    /// <summary>The empty programs on the same hooks in the same run: the trampoline's and the statistics' own share.</summary>
    public double FloorNanosecondsPerEvent => PerRun("floor send", "floor recv");

    private double PerRun(string send, string recv)
    {
        var costs = EventCosts.Where(c => c.Program == send || c.Program == recv).ToArray();
        return costs.Sum(c => c.NanosecondsPerRun * c.Runs) / Math.Max(1, costs.Sum(c => (double)c.Runs));
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(BenchResults))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
