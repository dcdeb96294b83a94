using System.Net;
using Ebpf.Examples.MeshAccel.Mesh;

namespace Ebpf.Examples.MeshAccel.Lab;

/// <summary>One network namespace of the lab: a pod, the remote host, or the node itself.</summary>
internal sealed record LabHost(string Role, string Netns, IPAddress Ipv4, IPAddress Ipv6, string? Cgroup, bool Sidecar,
                               IReadOnlyDictionary<string, string> Annotations)
{
    /// <summary>The pod-side end of the host's veth pair (its bridge-side end is named after the role).</summary>
    public const string Interface = "eth0";

    public PodSpec ToPod() => new()
    {
        Name = Role,
        Netns = Netns,
        Ips = [Ipv4.ToString(), Ipv6.ToString()],
        Sidecar = Sidecar,
        Annotations = Annotations,
    };
}

/// <summary>
/// The lab's shape, one node: meshed pods (pod0, pod1, ...), a pod without a sidecar (plain) and a namespace that stands
/// for another node (remote), each a network namespace cabled to a bridge that lives in the node's namespace, which
/// also has an address of its own. Pods and the node sit in cgroups under one parent, the cgroup mesh-accel attaches to;
/// remote is outside it. Everything is named PREFIX-..., so labs with different prefixes coexist (the addresses can be
/// the same: each lab is its own set of namespaces).
/// </summary>
internal sealed class LabLayout
{
    public const string DefaultPrefix = "mesh";
    public const string Bridge = "br0";
    /// <summary>Ports each app listens on: 80 and the ones the exclusion annotations of pod1/pod2 name, plus an excluded-by-default inbound port.</summary>
    public static readonly int[] AppPorts = [80, 8081, 8082, 15021];
    public const int PrefixLength4 = 24;
    public const int PrefixLength6 = 64;
    private const string Subnet4 = "10.213.0.";
    private const string Subnet6 = "fd00:213::";

    /// <summary>Annotations of pod1 and pod2, so the lab has every kind of exception of the contract.</summary>
    public static readonly IReadOnlyDictionary<string, string> Pod1Annotations = new Dictionary<string, string>
    {
        [PodPolicy.AnnotationPrefix + "excludeOutboundPorts"] = "8081",
        [PodPolicy.AnnotationPrefix + "excludeInboundPorts"] = "8082",
        [PodPolicy.AnnotationPrefix + "excludeOutboundIPRanges"] = $"{Subnet4}200/32,{Subnet6}c8/128",
    };

    public static readonly IReadOnlyDictionary<string, string> Pod2Annotations = new Dictionary<string, string>
    {
        [PodPolicy.AnnotationPrefix + "includeInboundPorts"] = "80,8082",
        [PodPolicy.AnnotationPrefix + "includeOutboundIPRanges"] = $"{Subnet4}0/25,{Subnet6}/121",
    };

    public LabLayout(string prefix, int meshedPods, string cgroupRoot)
    {
        if (string.IsNullOrEmpty(prefix) || prefix.Length > 24 || !prefix.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            throw new ToolException($"lab prefix '{prefix}' must be 1-24 letters, digits or '-'");
        if (meshedPods is < 1 or > 40)
            throw new ToolException($"--pods {meshedPods}: the lab makes 1 to 40 meshed pods");
        Prefix = prefix;
        MeshCgroup = Path.Combine(cgroupRoot, prefix);
        Node = new("node", $"{prefix}-node", Ip4(1), Ip6(1), Path.Combine(MeshCgroup, "node"), false, Empty);
        Pods = Enumerable.Range(0, meshedPods).Select(i => Host($"pod{i}", 10 + i, true, i switch
        {
            1 => Pod1Annotations,
            2 => Pod2Annotations,
            _ => Empty,
        })).Append(Host("plain", 100, false, Empty)).ToArray();
        Remote = new("remote", $"{prefix}-remote", Ip4(200), Ip6(200), null, false, Empty);
    }

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    public string Prefix { get; }

    /// <summary>The cgroup the lab's pods and node sit in: the one to give `mesh-accel run --cgroup`.</summary>
    public string MeshCgroup { get; }

    public LabHost Node { get; }
    /// <summary>The node's pods: the meshed ones, then plain (no sidecar).</summary>
    public IReadOnlyList<LabHost> Pods { get; }
    public LabHost Remote { get; }

    public IEnumerable<LabHost> MeshedPods => Pods.Where(p => p.Sidecar);
    public LabHost Plain => Pods.Single(p => p.Role == "plain");
    public LabHost Pod(string role) => Pods.Single(p => p.Role == role);

    /// <summary>Every namespace but the node's (which holds the bridge).</summary>
    public IEnumerable<LabHost> Cabled => [.. Pods, Remote];
    public IEnumerable<LabHost> All => [Node, .. Cabled];

    /// <summary>Scratch directory (configs, logs, pid files, bodies).</summary>
    public string WorkDir => Path.Combine(Path.GetTempPath(), $"{Prefix}-meshlab");
    public string HostDir(LabHost h) => Path.Combine(WorkDir, h.Role);

    /// <summary>The pods file `mesh-accel run --pods-from lab` reads (the lab writes it).</summary>
    public static string PodsFile(string prefix) => Path.Combine("/run/mesh-accel/labs", prefix + ".pods.json");

    public static IPAddress Ip4(int host) => IPAddress.Parse(Subnet4 + host);
    public static IPAddress Ip6(int host) => IPAddress.Parse(Subnet6 + host.ToString("x"));

    private LabHost Host(string role, int host, bool sidecar, IReadOnlyDictionary<string, string> annotations) =>
        new(role, $"{Prefix}-{role}", Ip4(host), Ip6(host), Path.Combine(MeshCgroup, role), sidecar, annotations);
}
