namespace Ebpf.Examples.MeshAccel.Mesh;

/// <summary>
/// The numbers of Istio's sidecar contract as `istio-iptables -p 15001 -z 15006 -u 1337 -m REDIRECT -d 15090,15021,15020`
/// sets them; mesh-accel.bpf.c has the same constants.
/// </summary>
internal static class MeshPorts
{
    /// <summary>The sidecar's outbound listener (istio-iptables -p).</summary>
    public const int Outbound = 15001;

    /// <summary>The sidecar's inbound listener (-z).</summary>
    public const int Inbound = 15006;

    /// <summary>The sidecar's uid and gid, whose own connections are never captured (-u, -g).</summary>
    public const int ProxyId = 1337;

    /// <summary>HBONE: never captured inbound; istio-iptables adds it unconditionally.</summary>
    public const int Hbone = 15008;

    /// <summary>Inbound ports excluded by default (-d): Prometheus merge, health, agent.</summary>
    public static readonly IReadOnlyList<int> DefaultExcludedInbound = [15090, 15021, 15020];

    /// <summary>The source address the sidecar binds for its hop to the app (Envoy's inbound passthrough), IPv4 and IPv6.</summary>
    public const string PassthroughV4 = "127.0.0.6";
    public const string PassthroughV6 = "::6";
}
