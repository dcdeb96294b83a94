using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// Bounded series: 600 short-lived processes with distinct names under --max-series 100 give at most 101 per-process
/// series (100 and comm="other"), the overflow is counted, and the series still sum to every byte sent.
/// </summary>
[Collection(TcptopCollection.Name)]
public sealed class TcptopCardinalityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SixHundredProcessesUnderMaxSeriesHundredGiveAtMost101SeriesThatSumToEveryByte()
    {
        Kernel.RequireRoot();
        const int processes = 600;
        const long each = 4_321;
        using var export = new ExportRun("--max-series", "100");
        using var cgroup = new TempCgroup("ttcs");
        using var receivers = new TempCgroup("ttcr");
        var cgroupName = Path.GetRelativePath(Ebpf.KernelMounts.Cgroup2Root!, cgroup.Path);
        var prefix = TcpPeers.Comm("c")[..Math.Min(11, TcpPeers.Comm("c").Length)]; // room for up to 4 digits
        var (sink, port) = TcpPeers.Sink(receivers, TcpPeers.Comm("cardrx"), "127.0.0.1", processes);
        using (sink)
        using (var many = TcpPeers.Many(cgroup, prefix, processes, "127.0.0.1", port, each))
        {
            Assert.Equal(processes * each, TcpPeers.Result(many, "sent"));
            Assert.Equal(processes * each, TcpPeers.Result(sink, "received"));
        }

        var scrape = await export.ScrapeAsync(Ct);
        var series = scrape.Named("tcptop_sent_bytes_total").ToArray();
        Assert.True(series.Length <= 101, $"{series.Length} per-process series under --max-series 100");
        Assert.Single(series, s => s.Labels.GetValueOrDefault("comm") == "other");
        var overflow = scrape.Sum("tcptop_series_overflow_total");
        Assert.True(overflow >= processes - 100, $"overflow counted {overflow}, expected at least {processes - 100}");
        // Every byte is in some series: per process (own series or "other") and per cgroup give the same total.
        Assert.Equal(scrape.Sum("tcptop_cgroup_sent_bytes_total"), series.Sum(s => s.Value));
        Assert.Equal(processes * each, scrape.Sum("tcptop_cgroup_sent_bytes_total", ("cgroup", cgroupName)));
        var ownNamed = series.Where(s => s.Labels.GetValueOrDefault("comm", "").StartsWith(prefix, StringComparison.Ordinal)).Sum(s => s.Value);
        Assert.True(ownNamed <= processes * each && ownNamed % each == 0, $"the test's own series hold {ownNamed} bytes");
    }
}
