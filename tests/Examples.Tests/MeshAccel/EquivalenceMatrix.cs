using Xunit;

namespace Ebpf.Examples.Tests.MeshAccel;

/// <summary>
/// The contract as a traffic matrix: the calls and what each must give, the answering app's line and the sidecar hops.
/// Run in any lab (<see cref="Run"/>) and compared with <see cref="AssertAllMatch"/>: every interception under test must
/// give exactly the contract's results, so they are equal to each other and two broken the same way still fail. Used by
/// MeshEquivalenceTests (iptables and `mesh-accel run`) and by tests/Deploy.Tests (the agent in its container image).
/// Pod addresses: pod0 10.213.0.10, pod1 .11, pod2 .12, plain .100, remote .200 (LabLayout).
/// </summary>
internal static class EquivalenceMatrix
{
    /// <summary>A call and what the contract says happens: the answering app's line and the sidecar hops.</summary>
    public sealed record Case(LabCall Call, string Body, params string[] Hops);

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

    /// <summary>
    /// The matrix. pod1 excludes outbound port 8081, inbound port 8082 and the remote addresses; pod2 includes
    /// only inbound ports 80 and 8082 and only outbound 10.213.0.0/25 (pods and node, not remote); 15021 is excluded
    /// inbound by default (-d 15090,15021,15020).
    /// </summary>
    public static readonly Case[] Matrix =
    [
        .. Basic,
        new(new("app calling its own pod address", "pod0", "http://10.213.0.10/"),
            "app=pod0 port=80 peer=10.213.0.10"),
        new(new("sidecar calling its own pod", "pod0", "http://10.213.0.10/", AsProxy: true),
            "app=pod0 port=80 peer=127.0.0.6", "pod0 inbound -> 10.213.0.10:80"),
        new(new("sidecar to 127.0.0.1", "pod0", "http://127.0.0.1/", AsProxy: true),
            "app=pod0 port=80 peer=127.0.0.1"),
        new(new("sidecar to remote", "pod0", "http://10.213.0.200/", AsProxy: true),
            "app=remote port=80 peer=10.213.0.10"),
        new(new("pod to the pod without a sidecar", "pod0", "http://10.213.0.100/"),
            "app=plain port=80 peer=10.213.0.10", "pod0 outbound -> 10.213.0.100:80"),
        new(new("pod without a sidecar to a meshed pod", "plain", "http://10.213.0.11/"),
            "app=pod1 port=80 peer=127.0.0.6", "pod1 inbound -> 10.213.0.11:80"),
        new(new("pod without a sidecar to remote", "plain", "http://10.213.0.200/"),
            "app=remote port=80 peer=10.213.0.100"),
        new(new("excluded outbound port (pod1 8081), captured by the destination", "pod1", "http://10.213.0.10:8081/"),
            "app=pod0 port=8081 peer=127.0.0.6", "pod0 inbound -> 10.213.0.10:8081"),
        new(new("excluded inbound port (pod1 8082)", "pod0", "http://10.213.0.11:8082/"),
            "app=pod1 port=8082 peer=10.213.0.10", "pod0 outbound -> 10.213.0.11:8082"),
        new(new("inbound port excluded by default (15021)", "pod0", "http://10.213.0.11:15021/"),
            "app=pod1 port=15021 peer=10.213.0.10", "pod0 outbound -> 10.213.0.11:15021"),
        new(new("excluded outbound range (pod1 to remote)", "pod1", "http://10.213.0.200/"),
            "app=remote port=80 peer=10.213.0.11"),
        new(new("outside the included outbound ranges (pod2 to remote)", "pod2", "http://10.213.0.200/"),
            "app=remote port=80 peer=10.213.0.12"),
        new(new("inside the included outbound ranges (pod2 to pod0)", "pod2", "http://10.213.0.10/"),
            "app=pod0 port=80 peer=127.0.0.6", "pod2 outbound -> 10.213.0.10:80", "pod0 inbound -> 10.213.0.10:80"),
        new(new("inbound port not included (pod2 8081)", "pod0", "http://10.213.0.12:8081/"),
            "app=pod2 port=8081 peer=10.213.0.10", "pod0 outbound -> 10.213.0.12:8081"),
        new(new("inbound port included (pod2 8082)", "pod0", "http://10.213.0.12:8082/"),
            "app=pod2 port=8082 peer=127.0.0.6", "pod0 outbound -> 10.213.0.12:8082", "pod2 inbound -> 10.213.0.12:8082"),
        new(new("IPv4 written v4-mapped on an IPv6 socket", "pod0", "http://[::ffff:10.213.0.11]/"),
            "app=pod1 port=80 peer=127.0.0.6", "pod0 outbound -> 10.213.0.11:80", "pod1 inbound -> 10.213.0.11:80"),
        new(new("node namespace (in the cgroup) to a meshed pod", "node", "http://10.213.0.11/"),
            "app=pod1 port=80 peer=127.0.0.6", "pod1 inbound -> 10.213.0.11:80"),
        new(new("node namespace to the pod without a sidecar", "node", "http://10.213.0.100/"),
            "app=plain port=80 peer=10.213.0.1"),
    ];

    /// <summary>Every case's call in <paramref name="lab"/>, in order.</summary>
    public static CallResult[] Run(Ebpf.Examples.MeshAccel.Lab.LabLayout lab, IReadOnlyList<Case> cases) =>
        cases.Select(c => LabTraffic.Call(lab, c.Call)).ToArray();

    /// <summary>
    /// Each interception's results (by name, in the order of <paramref name="cases"/>) must be the contract's; the
    /// failure shows every case under every interception.
    /// </summary>
    public static void AssertAllMatch(IReadOnlyList<Case> cases, IReadOnlyDictionary<string, CallResult[]> results)
    {
        var report = string.Join("\n", cases.Select((c, i) =>
            $"{c.Call.Name}:\n  expected {new CallResult(c.Body, c.Hops)}" + string.Concat(results.Select(r => $"\n  {r.Key} {r.Value[i]}"))));
        for (var i = 0; i < cases.Count; i++)
        {
            var expected = new CallResult(cases[i].Body, [.. cases[i].Hops.Order(StringComparer.Ordinal)]);
            foreach (var (name, got) in results)
                Assert.True(got[i].Body.Trim() == expected.Body && got[i].Hops.SequenceEqual(expected.Hops),
                            $"{cases[i].Call.Name} under {name} differs from the contract\n{report}");
        }
    }
}
