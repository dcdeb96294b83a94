using System.Net;
using Ebpf.Examples.XdpProxy.ControlPlane;

namespace Ebpf.Examples.Tests;

/// <summary>The control plane's Maglev table and backend slots (no kernel needed).</summary>
public sealed class XdpProxyMaglevTests
{
    private static string[] Keys(int n) => Enumerable.Range(1, n).Select(i => $"10.0.{i / 250}.{i % 250 + 1}:80").ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    public void EveryBackendGetsAnEqualShare(int n)
    {
        var table = Maglev.Build(Keys(n));

        Assert.DoesNotContain(-1, table);
        var counts = table.GroupBy(i => i).Select(g => g.Count()).ToArray();
        Assert.Equal(n, counts.Length);
        // Backends claim entries in turns, so shares differ by at most one entry.
        Assert.InRange(counts.Max() - counts.Min(), 0, 1);
    }

    [Fact]
    public void NoBackendsGiveAnEmptyTable() => Assert.All(Maglev.Build([]), e => Assert.Equal(-1, e));

    [Fact]
    public void TheTableDependsOnTheSetNotTheOrder()
    {
        var keys = Keys(5);
        var shuffled = keys.Reverse().ToArray();
        var a = Maglev.Build(keys).Select(i => keys[i]);
        var b = Maglev.Build(shuffled).Select(i => shuffled[i]);
        Assert.Equal(a, b);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(10)]
    public void RemovingABackendMovesLittleMoreThanItsOwnEntries(int n)
    {
        var keys = Keys(n);
        var before = Maglev.Build(keys).Select(i => keys[i]).ToArray();
        var fewer = keys[..^1];
        var after = Maglev.Build(fewer).Select(i => fewer[i]).ToArray();

        var own = before.Count(k => k == keys[^1]);
        var movedElsewhere = Enumerable.Range(0, before.Length).Count(i => before[i] != keys[^1] && before[i] != after[i]);
        Assert.Equal(0, after.Count(k => k == keys[^1]));
        // The Maglev paper's property: entries of the surviving backends mostly stay where they were.
        Assert.True(movedElsewhere < own / 2, $"{movedElsewhere} entries of surviving backends moved (removed backend had {own})");
    }

    [Fact]
    public void AddingABackendTakesAboutItsShareFromTheOthers()
    {
        var keys = Keys(4);
        var before = Maglev.Build(keys).Select(i => keys[i]).ToArray();
        var more = Keys(5);
        var after = Maglev.Build(more).Select(i => more[i]).ToArray();

        var changed = Enumerable.Range(0, before.Length).Count(i => before[i] != after[i]);
        var share = Maglev.Size / 5;
        Assert.InRange(changed, share, share * 3 / 2);
    }

    [Fact]
    public void RemovedBackendsDrainInTheirSlotAndComeBackToIt()
    {
        var slots = new BackendSlots(4);
        var a = IPEndPoint.Parse("10.0.0.1:80");
        var b = IPEndPoint.Parse("10.0.0.2:80");
        Assert.Equal(0, slots.Add(a).Index);
        Assert.Equal(1, slots.Add(b).Index);

        var removed = slots.Remove(b);
        Assert.Equal(SlotState.Draining, removed.State);
        Assert.All(slots.BuildTable(), e => Assert.Equal(1u, e)); // only slot 0 (+1) left in the table

        Assert.Equal(1, slots.Add(b).Index);
        Assert.Equal(SlotState.Active, slots.All[1].State);
        Assert.Contains(2u, slots.BuildTable());
    }

    [Fact]
    public void ADrainingSlotIsReusedOnlyWhenNoEmptySlotIsLeft()
    {
        var slots = new BackendSlots(3);
        slots.Add(IPEndPoint.Parse("10.0.0.1:80"));
        slots.Add(IPEndPoint.Parse("10.0.0.2:80"));
        slots.Remove(IPEndPoint.Parse("10.0.0.1:80"));

        // Slot 2 is still empty: the new backend takes it, and slot 0 keeps draining its flows.
        var c = slots.Add(IPEndPoint.Parse("10.0.0.3:80"));
        Assert.Equal(2, c.Index);
        Assert.Equal(SlotState.Draining, slots.All[0].State);
        Assert.Equal(IPEndPoint.Parse("10.0.0.1:80"), slots.All[0].Endpoint);

        // No empty slot left: the draining one is reused.
        var d = slots.Add(IPEndPoint.Parse("10.0.0.4:80"));
        Assert.Equal(0, d.Index);
        Assert.Equal(SlotState.Active, slots.All[0].State);
        var e = Assert.Throws<ArgumentException>(() => slots.Add(IPEndPoint.Parse("10.0.0.5:80")));
        Assert.Contains("MAX_BACKENDS", e.Message);
    }

    [Fact]
    public void MistakesAreExplained()
    {
        var slots = new BackendSlots(2);
        slots.Add(IPEndPoint.Parse("10.0.0.1:80"));
        Assert.Contains("already", Assert.Throws<ArgumentException>(() => slots.Add(IPEndPoint.Parse("10.0.0.1:80"))).Message);
        Assert.Contains("10.0.0.1:80", Assert.Throws<ArgumentException>(() => slots.Remove(IPEndPoint.Parse("10.0.0.9:80"))).Message);
        Assert.Contains("IPv4", Assert.Throws<ArgumentException>(() => BalancerOptions.ParseBackend("fd00::1", 80)).Message);
        Assert.Equal(IPEndPoint.Parse("10.0.0.1:80"), BalancerOptions.ParseBackend("10.0.0.1", 80));
        Assert.Equal(IPEndPoint.Parse("10.0.0.1:8080"), BalancerOptions.ParseBackend("10.0.0.1:8080", 80));
    }
}
