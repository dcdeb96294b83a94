using Ebpf.Examples.Sockredir.Bench;

namespace Ebpf.Examples.Tests.Sockredir;

/// <summary>The bench's reading of tool output and its medians; no kernel needed.</summary>
public sealed class SockredirBenchTests
{
    // sockperf 3.7 ping-pong output as printed here (colour escapes included), trimmed to the lines it reads.
    private const string SockperfOutput = """
        sockperf: [Total Run] RunTime=1.000 sec; SentMessages=5690; ReceivedMessages=5689
        sockperf: ========= Printing statistics for Server No: 0
        sockperf: [Valid Duration] RunTime=0.568 sec; SentMessages=2998; ReceivedMessages=2998
        sockperf: [2;35m====> avg-latency=94.730 (std-dev=552.253)[0m
        sockperf: Summary: Latency is 94.730 usec
        sockperf: ---> percentile 99.999 = 18379.229
        sockperf: ---> percentile 99.000 = 1861.995
        sockperf: ---> percentile 90.000 =   34.651
        sockperf: ---> percentile 50.000 =   28.276
        sockperf: ---> percentile 25.000 =   27.595
        """;

    [Fact]
    public void SockperfHalfRoundTripsBecomeRoundTripsAndTheValidDurationGivesTransactionsPerSecond()
    {
        var f = Sockperf.Parse(SockperfOutput, 65507);
        Assert.Equal("sockperf", f.Tool);
        Assert.Equal(56.552, f.P50Micros, 3);
        Assert.Equal(3723.99, f.P99Micros, 3);
        Assert.Equal(2998 / 0.568, f.TransactionsPerSecond, 3);
    }

    [Fact]
    public void SockperfOutputWithoutStatisticsIsAnError()
    {
        var e = Assert.Throws<Ebpf.Examples.Linux.ToolException>(() =>
            Sockperf.Parse("sockperf: ERROR: Can`t connect socket (errno=111 Connection refused)", 64));
        Assert.Contains("Connection refused", e.Message);
    }

    [Theory]
    [InlineData(13, false)]
    [InlineData(14, true)]
    [InlineData(65507, true)]
    [InlineData(65508, false)]
    public void SockperfMeasuresOnlyTheSizesItCanSend(int size, bool supported) => Assert.Equal(supported, Sockperf.Supports(size));

    [Fact]
    public void EveryFigureIsTheMedianOfItsRounds()
    {
        static ModeFigures Round(double gbps, double p50) =>
            new(gbps, gbps * 2, new LatencyFigures("sockperf", p50, p50 * 2, 1000 / p50), new LatencyFigures("sockperf", p50 + 1, p50 + 2, 100));
        var m = ModeFigures.Median([Round(9, 40), Round(22, 50), Round(23, 45)]);
        Assert.Equal(22, m.ThroughputGbps);
        Assert.Equal(44, m.ThroughputNoDelayGbps);
        Assert.Equal(45, m.Latency.P50Micros);
        Assert.Equal(90, m.Latency.P99Micros);
        Assert.Equal(1000.0 / 45, m.Latency.TransactionsPerSecond, 6);
        Assert.Equal(46, m.LatencyNoDelay.P50Micros);

        var even = ModeFigures.Median([Round(10, 40), Round(20, 60)]);
        Assert.Equal(15, even.ThroughputGbps);
        Assert.Equal(50, even.Latency.P50Micros);
    }

    [Fact]
    public void RatiosAreTheMedianOfEachRoundsOwnRatio()
    {
        // Round 1 and 3 caught a slow spell of the machine in both halves; round 2 did not. Ratio of the medians:
        // 220 / 120 = 1.83, a comparison of two different spells; the rounds' own ratios are 0.870, 0.957 and 0.870
        // (100 / 115, 220 / 230, 104.4 / 120), whose median is round 3's.
        static ModeFigures Round(double gbps, double p50) =>
            new(gbps, gbps, new LatencyFigures("sockperf", p50, p50, 1), new LatencyFigures("sockperf", p50, p50, 1e6 / p50));
        ModeFigures[] plain = [Round(115, 50), Round(230, 40), Round(120, 50)];
        ModeFigures[] redirected = [Round(100, 40), Round(220, 40), Round(104.4, 25)];

        var x = PairedRatios.Of(plain, redirected);

        Assert.Equal(104.4 / 120, x.ThroughputNoDelay, 6);
        Assert.Equal(104.4 / 120, x.Throughput, 6);
        Assert.Equal(50.0 / 40, x.P50, 6);   // latency: plain / redirected; rounds 1.25, 1.0, 2.0
        Assert.Equal(50.0 / 40, x.TpsNoDelay, 6);
    }
}
