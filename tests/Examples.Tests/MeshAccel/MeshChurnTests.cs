using Ebpf.Examples.Linux;
using Ebpf.Examples.MeshAccel;
using Ebpf.Examples.MeshAccel.Agent;
using Ebpf.Examples.MeshAccel.Lab;
using Xunit;

namespace Ebpf.Examples.Tests.MeshAccel;

/// <summary>Pods come and go under a running agent; connections come and go without leaving map entries; the LRU bound holds.</summary>
[Collection(MeshAccelCollection.Name)]
public sealed class MeshChurnTests
{
    [Fact]
    public void PodsAddedAndRemovedWhileRunningAreMeshedAndUnmeshed()
    {
        using var lab = new LabUnderTest(LabMode.Ebpf);
        var layout = lab.Layout;
        var toPod2 = new LabCall("pod0 to pod2", "pod0", "http://10.213.0.12/");
        Assert.Equal(["pod0 outbound -> 10.213.0.12:80", "pod2 inbound -> 10.213.0.12:80"], LabTraffic.Call(layout, toPod2).Hops);
        var withAll = PinnedState.Entries(lab.Pins, "pods_by_ip");

        lab.Lab.WritePodsFile(layout.Pods.Where(p => p.Role != "pod2").Select(p => p.ToPod()));
        Assert.True(lab.Agent!.WaitForLine("pod pod2 removed", TimeSpan.FromSeconds(10)) is not null, lab.Agent.Transcript);
        Assert.Equal(withAll - 2, PinnedState.Entries(lab.Pins, "pods_by_ip")); // its IPv4 and IPv6 entries left
        Assert.Equal(["pod0 outbound -> 10.213.0.12:80"], LabTraffic.Call(layout, toPod2).Hops);
        // pod2's own connections are no longer captured either.
        Assert.Empty(LabTraffic.Call(layout, new("pod2 to pod1", "pod2", "http://10.213.0.11:8082/")).Hops);

        lab.Lab.WritePodsFile();
        Assert.True(lab.Agent.WaitForLines("pod pod2 added", 2, TimeSpan.FromSeconds(10)), lab.Agent.Transcript); // the first was at start
        Assert.Equal(withAll, PinnedState.Entries(lab.Pins, "pods_by_ip"));
        Assert.Equal(["pod0 outbound -> 10.213.0.12:80", "pod2 inbound -> 10.213.0.12:80"], LabTraffic.Call(layout, toPod2).Hops);
    }

    [Fact]
    public void TwoThousandShortConnectionsLeaveNoEntriesAndFailedConnectsStayWithinTheLruBound()
    {
        const int bound = 256;
        // Every connection spliced (the default policy stops splicing short ones, MeshSplicePolicyTests): the sockmap's
        // entries come and go 6,000 times.
        using var lab = new LabUnderTest(LabMode.Ebpf, 3, true, "--max-connections", bound.ToString(), "--unsplice-after", "0");
        var before = PinnedState.Counters(lab.Pins);
        var pod0 = lab.Layout.Pod("pod0");

        // 2,000 connections, each through pod0's and pod1's sidecars: one curl, the URL 2,000 times, a new connection per request.
        var body = PodCommand.Curl(pod0, ["-H", "Connection: close", .. Enumerable.Repeat("http://10.213.0.11/", 2000)]);
        Assert.Equal(2000, body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith("app=pod1", StringComparison.Ordinal)));
        var after = PinnedState.Counters(lab.Pins).Since(before);
        Assert.True(after[MeshAccelSkel.MeshStat.StatOrigRekeyed] >= 4000, $"rekeyed {after[MeshAccelSkel.MeshStat.StatOrigRekeyed]}");
        Assert.True(after[MeshAccelSkel.SpliceStat.StatSocketsAdded] >= 12000, $"spliced sockets {after[MeshAccelSkel.SpliceStat.StatSocketsAdded]}");
        Assert.True(PinnedState.Eventually(() => PinnedState.Entries(lab.Pins, "orig_by_tuple") == 0 && PinnedState.Entries(lab.Pins, "sock_hash") == 0
                                                 && PinnedState.Entries(lab.Pins, "orig_by_cookie") == 0, TimeSpan.FromSeconds(20)),
            $"entries left: orig_by_tuple {PinnedState.Entries(lab.Pins, "orig_by_tuple")}, sock_hash {PinnedState.Entries(lab.Pins, "sock_hash")}, orig_by_cookie {PinnedState.Entries(lab.Pins, "orig_by_cookie")}");

        // Connects that never complete (IPv6 to the sidecar's port, where HAProxy does not listen) keep their cookie entry
        // until the LRU evicts it: the map stays within its bound.
        PodCommand.Curl(pod0, ["--connect-timeout", "1", .. Enumerable.Repeat("http://[fd00:213::b]/", 1000)]);
        var stuck = PinnedState.Entries(lab.Pins, "orig_by_cookie");
        Assert.InRange(stuck, 1, bound);
    }
}
