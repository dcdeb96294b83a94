using Ebpf.Examples.Tcptop.Accounting;
using Ebpf.Examples.Tcptop.Kernel;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>The exporter's bookkeeping without a kernel: deltas into series, exits, grace, overflow, monotonic totals.</summary>
public sealed class ProcessLedgerTests
{
    private DateTime now = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private ProcessLedger Ledger(int maxSeries = 10, string labels = "comm,cgroup") =>
        new(LabelChoice.Parse(labels), maxSeries, TimeSpan.FromSeconds(60), id => id == 1 ? "/" : $"cg{id}", () => now);

    private static ProcessEntry Entry(int pid, ulong start, string comm, ulong cgroup, ulong sent, bool exited = false) =>
        new(new ProcessIdentity(pid, start), comm, cgroup, sent, sent / 2, 0, 0, 0, 0, exited);

    private static ulong Sent(ProcessLedger l, string comm) => l.Series.Where(s => s.Key.Comm == comm).Sum(s => (long)s.Value.Sent) is var v ? (ulong)v : 0;

    [Fact]
    public void ANewProcessSharingALabelSetContinuesItsSeries()
    {
        var l = Ledger();
        l.Update([Entry(10, 1, "curl", 1, 100, exited: true)]);
        now += TimeSpan.FromSeconds(61);
        Assert.Equal([new ProcessIdentity(10, 1)], l.Update([Entry(10, 1, "curl", 1, 100, exited: true)]));
        l.Update([Entry(11, 2, "curl", 1, 30)]);
        Assert.Equal(130UL, Sent(l, "curl"));
        Assert.Equal(130UL, l.CgroupBytes[1].Sent);
    }

    [Fact]
    public void ALowerReadingIsIgnoredNotSubtracted()
    {
        // a read that races an exit may see the slot freed before the entry is marked: lower for one read
        var l = Ledger();
        l.Update([Entry(10, 1, "curl", 5, 100)]);
        l.Update([Entry(10, 1, "curl", 5, 40)]);
        Assert.Equal(100UL, Sent(l, "curl"));
        l.Update([Entry(10, 1, "curl", 5, 160, exited: true)]);
        Assert.Equal(160UL, Sent(l, "curl"));
        Assert.Equal(160UL, l.CgroupBytes[5].Sent);
    }

    [Fact]
    public void AnExitedProcessesSeriesLeavesAfterGraceButItsCgroupKeepsItsBytes()
    {
        var l = Ledger();
        l.Update([Entry(10, 1, "curl", 5, 100)]);
        now += TimeSpan.FromSeconds(5);
        l.Update([Entry(10, 1, "curl", 5, 150, exited: true)]);
        now += TimeSpan.FromSeconds(30);
        Assert.Empty(l.Update([Entry(10, 1, "curl", 5, 150, exited: true)]));
        Assert.Equal(150UL, Sent(l, "curl"));
        now += TimeSpan.FromSeconds(31);
        Assert.Single(l.Update([Entry(10, 1, "curl", 5, 150, exited: true)]));
        Assert.Equal(0UL, Sent(l, "curl"));
        Assert.Equal([new SeriesKey("curl", "cg5", "")], l.TakeRemoved());
        Assert.Equal(150UL, l.CgroupBytes[5].Sent);
        // and it comes back where it was
        l.Update([Entry(12, 9, "curl", 5, 1)]);
        Assert.Equal(151UL, Sent(l, "curl"));
    }

    [Fact]
    public void SeriesBeyondMaxSeriesAreSummedIntoOtherAndCounted()
    {
        var l = Ledger(maxSeries: 3);
        l.Update(Enumerable.Range(0, 10).Select(i => Entry(100 + i, 1, $"p{i}", 1, 10)).ToArray());
        Assert.Equal(4, l.Series.Count());
        Assert.Equal(70UL, Sent(l, "other"));
        Assert.Equal(7UL, l.Overflowed);
        Assert.Equal(100UL, (ulong)l.Series.Sum(s => (long)s.Value.Sent));
    }

    [Fact]
    public void AProcessThatChangesCommOrCgroupMovesOnWithoutTakingItsPastAlong()
    {
        var l = Ledger();
        l.Update([Entry(10, 1, "sh", 1, 100)]);
        l.Update([Entry(10, 1, "nginx", 7, 160)]);
        Assert.Equal(100UL, Sent(l, "sh"));
        Assert.Equal(60UL, Sent(l, "nginx"));
        Assert.Equal(100UL, l.CgroupBytes[1].Sent);
        Assert.Equal(60UL, l.CgroupBytes[7].Sent);
    }

    [Fact]
    public void UnknownLabelsAreRefused()
    {
        var e = Assert.Throws<Ebpf.Examples.Linux.ToolException>(() => LabelChoice.Parse("comm,podname"));
        Assert.Contains("podname", e.Message);
    }
}
