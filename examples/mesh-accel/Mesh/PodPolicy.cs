using System.Net;
using System.Net.Sockets;

namespace Ebpf.Examples.MeshAccel.Mesh;

/// <summary>A pod's settings the kernel programs need, parsed and checked; anything wrong is a <see cref="PodSpecException"/>.</summary>
internal sealed record PodPolicy(
    string Name,
    IPAddress? Ipv4,
    IPAddress? Ipv6,
    bool Meshed,
    IReadOnlyList<int> ExcludeOutboundPorts,
    IReadOnlyList<int>? IncludeInboundPorts,       // null: "*", every port but ExcludeInboundPorts
    IReadOnlyList<int> ExcludeInboundPorts,
    IReadOnlyList<IPNetwork> ExcludeOutboundRanges,
    IReadOnlyList<IPNetwork>? IncludeOutboundRanges) // null: "*", every destination but ExcludeOutboundRanges
{
    /// <summary>Room in the kernel's pod_info (MAX_PORTS, MAX_RANGES in mesh-accel.bpf.c).</summary>
    public const int MaxPorts = 16;
    public const int MaxRanges = 8;

    public const string AnnotationPrefix = "traffic.sidecar.istio.io/";

    public IEnumerable<IPAddress> Addresses => new[] { Ipv4, Ipv6 }.OfType<IPAddress>();

    /// <summary>Reads a pod as Istio's injector would configure istio-iptables for it.</summary>
    public static PodPolicy From(PodSpec pod)
    {
        IPAddress? v4 = null, v6 = null;
        foreach (var text in pod.Ips)
        {
            // Strict: IPAddress.TryParse takes "1.2.3" as 1.2.0.3, which no one means.
            if (!IPAddress.TryParse(text, out var ip) || (ip.AddressFamily == AddressFamily.InterNetwork && text.Count(c => c == '.') != 3))
                throw new PodSpecException(pod.Name, $"'{text}' is not an IP address");
            if (ip.IsIPv4MappedToIPv6)
                ip = ip.MapToIPv4();
            ref var slot = ref ip.AddressFamily == AddressFamily.InterNetwork ? ref v4 : ref v6;
            if (slot is not null)
                throw new PodSpecException(pod.Name, $"has two {(ip.AddressFamily == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} addresses ({slot}, {ip}); a pod has at most one of each");
            slot = ip;
        }
        if (v4 is null && v6 is null)
            throw new PodSpecException(pod.Name, "has no IP address");

        string? Get(string key) => pod.Annotations.TryGetValue(AnnotationPrefix + key, out var v) ? v.Trim() : null;
        var includeIn = Get("includeInboundPorts") is { } inc && inc != "*" ? Ports(pod.Name, "includeInboundPorts", inc) : null;
        var excludeIn = MeshPorts.DefaultExcludedInbound.Concat(Ports(pod.Name, "excludeInboundPorts", Get("excludeInboundPorts"))).Distinct().ToArray();
        var includeOut = Get("includeOutboundIPRanges") is { } r && r != "*" ? Ranges(pod.Name, "includeOutboundIPRanges", r) : null;
        return new PodPolicy(pod.Name, v4, v6, pod.Sidecar,
            Limit(pod.Name, "excludeOutboundPorts", Ports(pod.Name, "excludeOutboundPorts", Get("excludeOutboundPorts")), MaxPorts),
            includeIn is null ? null : Limit(pod.Name, "includeInboundPorts", includeIn, MaxPorts),
            Limit(pod.Name, "excludeInboundPorts (with Istio's 15090,15021,15020)", excludeIn, MaxPorts),
            Limit(pod.Name, "excludeOutboundIPRanges", Ranges(pod.Name, "excludeOutboundIPRanges", Get("excludeOutboundIPRanges")), MaxRanges),
            includeOut is null ? null : Limit(pod.Name, "includeOutboundIPRanges", includeOut, MaxRanges));
    }

    private static IReadOnlyList<int> Ports(string pod, string key, string? list)
    {
        if (string.IsNullOrWhiteSpace(list))
            return [];
        return list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.TryParse(p, out var n) && n is > 0 and < 65536 ? n
                : throw new PodSpecException(pod, $"annotation {AnnotationPrefix}{key}: '{p}' is not a port (1-65535)"))
            .Distinct().ToArray();
    }

    private static IReadOnlyList<IPNetwork> Ranges(string pod, string key, string? list)
    {
        if (string.IsNullOrWhiteSpace(list))
            return [];
        return list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(c => IPNetwork.TryParse(c, out var n) ? n
                : throw new PodSpecException(pod, $"annotation {AnnotationPrefix}{key}: '{c}' is not a CIDR (like 10.0.0.0/8 or fd00::/8)"))
            .ToArray();
    }

    private static IReadOnlyList<T> Limit<T>(string pod, string what, IReadOnlyList<T> items, int max) =>
        items.Count <= max ? items
            : throw new PodSpecException(pod, $"{what} lists {items.Count} entries; the kernel programs hold at most {max} per pod");
}

/// <summary>A pod whose description cannot be used; the message names the pod and the field.</summary>
internal sealed class PodSpecException(string pod, string problem) : Exception($"pod '{pod}': {problem}");
