using System.Net;
using Ebpf.Examples.MeshAccel.Linux;
using Ebpf.Examples.MeshAccel.Mesh;

namespace Ebpf.Examples.MeshAccel.Agent;

/// <summary>
/// Keeps pods_by_ip and pods_by_netns equal to the pods a source reports: each snapshot is written whole, and entries
/// of pods no longer reported are deleted, also those left in pinned maps by an earlier agent (a pod removed while no
/// agent ran). A pod that cannot be used is reported and left out; the others go on.
/// </summary>
internal sealed class PodMapSync(MeshAccelSkel skel, Action<string> log)
{
    private Dictionary<string, PodPolicy> current = [];

    /// <summary>Pod names now in the maps.</summary>
    public IReadOnlyCollection<string> Pods => current.Keys;

    /// <summary>True once a first set has been written.</summary>
    public bool Applied { get; private set; }

    public void Apply(IReadOnlyList<PodSpec> pods)
    {
        var next = new Dictionary<string, PodPolicy>();
        var byIp = new Dictionary<IPAddress, MeshAccelSkel.PodInfo>(); // not IpKey: an inline array's default Equals sees its first element only
        var byNetns = new Dictionary<ulong, MeshAccelSkel.PodInfo>();
        foreach (var pod in pods)
        {
            try
            {
                if (next.ContainsKey(pod.Name))
                    throw new PodSpecException(pod.Name, "is listed twice");
                var policy = PodPolicy.From(pod);
                var info = KernelForms.Pod(policy);
                var cookie = NetnsCookie.Of(NetnsOf(pod));
                foreach (var ip in policy.Addresses)
                    if (!byIp.TryAdd(ip, info))
                        throw new PodSpecException(pod.Name, $"address {ip} belongs to another pod too");
                if (!byNetns.TryAdd(cookie, info))
                    throw new PodSpecException(pod.Name, $"its network namespace ({pod.Netns}) is another pod's too");
                next[pod.Name] = policy;
            }
            catch (Exception e) when (e is PodSpecException or ToolException)
            {
                log($"skipped: {e.Message}");
            }
        }

        foreach (var (key, info) in byIp)
            skel.Maps.PodsByIp.Update(KernelForms.Key(key), info);
        foreach (var (key, info) in byNetns)
            skel.Maps.PodsByNetns.Update(key, info);
        // Deleted after the writes, so a pod that stays is never missing for a moment.
        foreach (var key in skel.Maps.PodsByIp.Keys.ToArray())
            if (!byIp.ContainsKey(KernelForms.FromKernel(key.Ip)))
                skel.Maps.PodsByIp.TryDelete(key);
        foreach (var key in skel.Maps.PodsByNetns.Keys.ToArray())
            if (!byNetns.ContainsKey(key))
                skel.Maps.PodsByNetns.TryDelete(key);

        foreach (var name in next.Keys.Except(current.Keys))
            log($"pod {name} added ({Describe(next[name])})");
        foreach (var name in current.Keys.Except(next.Keys))
            log($"pod {name} removed");
        foreach (var name in next.Keys.Intersect(current.Keys).Where(n => !Same(next[n], current[n])))
            log($"pod {name} changed ({Describe(next[name])})");
        current = next;
        Applied = true;
    }

    /// <summary>
    /// Where a pod's namespace is: given by the source, or, for the Kubernetes API (which does not say), the namespace
    /// that holds the pod's address (<see cref="NetnsFinder"/>).
    /// </summary>
    private static string NetnsOf(PodSpec pod) =>
        pod.Netns is { } ns ? NetnsCookie.PathOf(ns)
            : NetnsFinder.ByAddress(pod.Ips.Select(IPAddress.Parse))
              ?? throw new PodSpecException(pod.Name, $"no network namespace on this node has its address {string.Join(", ", pod.Ips)} (not started yet, or on another node)");

    private static bool Same(PodPolicy a, PodPolicy b) => KernelForms.SameBytes(KernelForms.Pod(a), KernelForms.Pod(b));

    private static string Describe(PodPolicy p) =>
        string.Join(", ", p.Addresses) + (p.Meshed ? ", meshed" : ", no sidecar: not captured");
}
