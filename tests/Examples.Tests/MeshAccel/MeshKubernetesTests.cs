using Ebpf.Examples.MeshAccel.Agent;
using Ebpf.Examples.MeshAccel.Lab;
using Xunit;
using static Ebpf.Examples.Tests.MeshAccel.ReplayedApiServer;

namespace Ebpf.Examples.Tests.MeshAccel;

/// <summary>
/// `run --pods-from kubernetes` with the real KubernetesClient against a replayed API server: the list, then a watch with
/// an added, a modified and a deleted pod, a 410 Gone that makes it list again, pods of another node and a hostNetwork pod
/// ignored. The pods are the lab's (their namespaces are found by address, as on a node), so the result is checked in
/// the maps and in traffic.
/// </summary>
[Collection(MeshAccelCollection.Name)]
public sealed class MeshKubernetesTests
{
    private const string Node = "node-a";

    [Fact]
    public void ListWatchAndResyncKeepTheMapsEqualToThisNodesPods()
    {
        using var lab = new LabUnderTest(LabMode.Ebpf, startAgent: false);
        var pod0 = Pod("pod0", Node, "90", ["10.213.0.10", "fd00:213::a"], ["app", "istio-proxy"]);
        // A native sidecar: an istio-proxy init container that keeps running.
        var pod1 = Pod("pod1", Node, "91", ["10.213.0.11", "fd00:213::b"], ["app"], [("istio-proxy", "Always")]);
        var plain = Pod("plain", Node, "92", ["10.213.0.100", "fd00:213::64"], ["app"]);
        var elsewhere = Pod("elsewhere", "node-b", "93", ["10.213.0.99"], ["app", "istio-proxy"]);
        var host = Pod("hostnet", Node, "94", ["10.213.0.1"], ["agent", "istio-proxy"], hostNetwork: true);
        var pod2 = Pod("pod2", Node, "101", ["10.213.0.12", "fd00:213::c"], ["app"],
                       annotations: new() { ["sidecar.istio.io/status"] = "{}" });
        var pod1Modified = Pod("pod1", Node, "102", ["10.213.0.11", "fd00:213::b"], ["app"], [("istio-proxy", "Always")],
                               new() { ["traffic.sidecar.istio.io/excludeInboundPorts"] = "80" });
        var elsewhereMoved = Pod("elsewhere", "node-b", "103", ["10.213.0.99"], ["app", "istio-proxy"]);
        using var api = new ReplayedApiServer(
            [PodList("100", pod0, pod1, plain, elsewhere, host), PodList("200", pod0, pod1Modified)],
            [[Event("ADDED", pod2), Event("MODIFIED", pod1Modified), Event("DELETED", plain), Event("MODIFIED", elsewhereMoved), Gone("103")]]);
        var kubeconfig = api.WriteKubeconfig(Path.Combine(lab.Layout.WorkDir, "kubeconfig"));

        var agent = new AppRun("mesh-accel.dll", "run", "--cgroup", lab.Layout.MeshCgroup, "--pods-from", "kubernetes", "--node", Node,
                               "--kubeconfig", kubeconfig, "--pin-dir", lab.Pins.Dir, "--interval", "0");
        try
        {
            Assert.True(agent.WaitForLine("resourceVersion 103 is gone (410): listing again", TimeSpan.FromSeconds(60)) is not null, agent.Transcript);
            Assert.True(agent.WaitForLine("listed 2 pod(s)", TimeSpan.FromSeconds(20)) is not null, agent.Transcript);
            Thread.Sleep(500);
            var log = agent.Transcript;
            Assert.Contains("listed 3 pod(s) of node node-a at resourceVersion 100", log); // pod0, pod1, plain
            Assert.Contains("pod default/pod2 added (10.213.0.12, fd00:213::c, meshed)", log);
            Assert.Contains("pod default/pod1 changed", log);
            Assert.Contains("pod default/plain removed", log);
            Assert.Contains("pod default/hostnet left out: hostNetwork", log);
            Assert.Contains("pod default/pod2 removed", log); // gone from the list after the resync
            Assert.DoesNotContain("elsewhere", log);
            Assert.All(api.Requests, r => Assert.Contains("fieldSelector=spec.nodeName%3Dnode-a", r));

            // The maps hold pod0 and pod1, both families.
            Assert.Equal(4, PinnedState.Entries(lab.Pins, "pods_by_ip"));
            Assert.Equal(2, PinnedState.Entries(lab.Pins, "pods_by_netns"));
            // pod1's modification (port 80 excluded inbound) is in force: pod0's sidecar takes the call, pod1's does not.
            Assert.Equal(["pod0 outbound -> 10.213.0.11:80"], LabTraffic.Call(lab.Layout, new("pod0 to pod1", "pod0", "http://10.213.0.11/")).Hops);
        }
        finally
        {
            agent.Dispose();
        }
    }
}
