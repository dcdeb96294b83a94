using Ebpf.Examples.MeshAccel.Lab;
using Xunit;

namespace Ebpf.Examples.Tests.MeshAccel;

/// <summary>
/// The contract: the same calls in a lab intercepted by istio-iptables' rules and in one intercepted by mesh-accel give
/// the same answers and the same sidecar hops, and both give the hops the contract says (so two modes broken the same
/// way fail). Pod addresses: pod0 10.213.0.10, pod1 .11, pod2 .12, plain .100, remote .200 (LabLayout).
/// </summary>
[Collection(MeshAccelCollection.Name)]
public sealed class MeshEquivalenceTests
{
    /// <summary>A call and what the contract says happens: the answering app's line and the sidecar hops.</summary>
    internal sealed record Case(LabCall Call, string Body, params string[] Hops);

    private static readonly Case[] Basic =
    [
        new(new("pod to pod", "pod0", "http://10.213.0.11/"),
            "app=pod1 port=80 peer=127.0.0.6", "pod0 outbound -> 10.213.0.11:80", "pod1 inbound -> 10.213.0.11:80"),
        new(new("pod to remote", "pod0", "http://10.213.0.200/"),
            "app=remote port=80 peer=10.213.0.10", "pod0 outbound -> 10.213.0.200:80"),
        new(new("pod to 127.0.0.1", "pod0", "http://127.0.0.1/"),
            "app=pod0 port=80 peer=127.0.0.1"),
        new(new("sidecar's own connection to another pod", "pod0", "http://10.213.0.11/", AsProxy: true),
            "app=pod1 port=80 peer=127.0.0.6", "pod1 inbound -> 10.213.0.11:80"),
    ];

    [Fact]
    public void BasicCallsTakeTheSameHopsUnderIptablesAndMeshAccel() => AssertEquivalent(Basic);

    internal static void AssertEquivalent(IReadOnlyList<Case> cases)
    {
        var results = new Dictionary<LabMode, CallResult[]>();
        foreach (var mode in new[] { LabMode.Iptables, LabMode.Ebpf })
        {
            using var lab = new LabUnderTest(mode);
            results[mode] = cases.Select(c => LabTraffic.Call(lab.Layout, c.Call)).ToArray();
        }
        var report = string.Join("\n", cases.Select((c, i) =>
            $"{c.Call.Name}:\n  expected {new CallResult(c.Body, c.Hops)}\n  iptables {results[LabMode.Iptables][i]}\n  mesh-accel {results[LabMode.Ebpf][i]}"));
        for (var i = 0; i < cases.Count; i++)
        {
            var expected = new CallResult(cases[i].Body, [.. cases[i].Hops.Order(StringComparer.Ordinal)]);
            foreach (var mode in results.Keys)
            {
                var got = results[mode][i];
                Assert.True(got.Body.Trim() == expected.Body && got.Hops.SequenceEqual(expected.Hops),
                            $"{cases[i].Call.Name} in {mode} mode differs from the contract\n{report}");
            }
        }
    }
}
