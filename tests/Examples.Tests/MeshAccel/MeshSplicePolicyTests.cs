using Ebpf.Examples.MeshAccel;
using Ebpf.Examples.MeshAccel.Lab;
using Xunit;

namespace Ebpf.Examples.Tests.MeshAccel;

/// <summary>
/// The splicing policy (docs/mesh-accel.md): connections to a destination are spliced until its connections close short in a
/// row, then not; a long one to the same destination makes them spliced again.
/// </summary>
[Collection(MeshAccelCollection.Name)]
public sealed class MeshSplicePolicyTests
{
    [Fact]
    public void ShortConnectionsStopBeingSplicedAndALongOneBringsSplicingBack()
    {
        using var lab = new LabUnderTest(LabMode.Ebpf);
        var pod0 = lab.Layout.Pod("pod0");
        var before = PinnedState.Counters(lab.Pins);

        // 60 connections of one small request each, from one curl: within milliseconds of each other.
        var body = PodCommand.Curl(pod0, ["-H", "Connection: close", .. Enumerable.Repeat("http://10.213.0.11/", 60)]);
        Assert.Equal(60, body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith("app=pod1", StringComparison.Ordinal)));
        var shortOnes = PinnedState.Counters(lab.Pins).Since(before);
        // The first connections are spliced (six sockets each: three hops); once 16 accepted sockets have closed short
        // (two per connection), later ones are not.
        Assert.True(shortOnes[MeshAccelSkel.MeshStat.StatLearnedShort] >= 100, $"counters: {string.Join(", ", shortOnes.Named())}");
        Assert.True(shortOnes[MeshAccelSkel.SpliceStat.StatSocketsAdded] >= 6 * 8, $"counters: {string.Join(", ", shortOnes.Named())}");
        Assert.True(shortOnes[MeshAccelSkel.MeshStat.StatSpliceSkipped] >= 6 * 30, $"counters: {string.Join(", ", shortOnes.Named())}");
        Assert.Equal(1, PinnedState.Entries(lab.Pins, "short_runs"));

        // One connection with many requests (curl reuses it for the same URL) counts as long: the next are spliced again.
        // Its accepted sockets report as they close, moments after curl has gone.
        PodCommand.Curl(pod0, [.. Enumerable.Repeat("http://10.213.0.11/", 20)]);
        Assert.True(PinnedState.Eventually(() => PinnedState.Counters(lab.Pins).Since(before)[MeshAccelSkel.MeshStat.StatLearnedLong] >= 2, TimeSpan.FromSeconds(10)),
            $"counters: {string.Join(", ", PinnedState.Counters(lab.Pins).Since(before).Named())}");
        var afterLong = PinnedState.Counters(lab.Pins);
        PodCommand.Curl(pod0, ["-H", "Connection: close", "http://10.213.0.11/"]);
        var next = PinnedState.Counters(lab.Pins).Since(afterLong);
        Assert.Equal(6UL, next[MeshAccelSkel.SpliceStat.StatSocketsAdded]);
        Assert.Equal(0UL, next[MeshAccelSkel.MeshStat.StatSpliceSkipped]);
    }
}
