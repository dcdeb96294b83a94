using k8s.Models;
using Ebpf.Examples.MeshAccel.Mesh;

namespace Ebpf.Examples.MeshAccel.Agent;

/// <summary>
/// Which Kubernetes pods mesh-accel handles, and as what. A pod is meshed when it has an istio-proxy container, a native
/// sidecar (an istio-proxy init container with restartPolicy Always) or a sidecar.istio.io/status annotation. Left out
/// entirely: pods of other nodes, pods without an address yet, hostNetwork pods (they are the node's namespace and
/// address), ambient pods (ztunnel's, not a sidecar's) and pods whose sidecar intercepts with TPROXY (istio-iptables'
/// TPROXY rules handle those; mesh-accel does REDIRECT only).
/// </summary>
internal static class KubernetesPods
{
    public const string ProxyContainer = "istio-proxy";
    public const string StatusAnnotation = "sidecar.istio.io/status";
    public const string InterceptionAnnotation = "sidecar.istio.io/interceptionMode";
    public const string AmbientAnnotation = "ambient.istio.io/redirection";
    public const string AmbientLabel = "istio.io/dataplane-mode";

    /// <summary>The pod as mesh-accel sees it, or null with the reason it is left out.</summary>
    public static PodSpec? From(V1Pod pod, string node, out string? leftOut)
    {
        leftOut = null;
        var name = $"{pod.Metadata?.NamespaceProperty ?? "default"}/{pod.Metadata?.Name}";
        var annotations = pod.Metadata?.Annotations ?? new Dictionary<string, string>();
        var labels = pod.Metadata?.Labels ?? new Dictionary<string, string>();
        if (pod.Spec?.NodeName != node)
            leftOut = $"on node {pod.Spec?.NodeName ?? "(none)"}, not {node}";
        else if (pod.Spec.HostNetwork == true)
            leftOut = "hostNetwork: the node's own namespace is never meshed";
        else if (annotations.TryGetValue(AmbientAnnotation, out var r) && r == "enabled" || labels.TryGetValue(AmbientLabel, out var m) && m == "ambient")
            leftOut = "ambient mode: redirected by ztunnel, not a sidecar";
        else if (annotations.TryGetValue(InterceptionAnnotation, out var mode) && !string.Equals(mode, "REDIRECT", StringComparison.OrdinalIgnoreCase))
            leftOut = $"interceptionMode {mode}: left to istio-iptables";
        var ips = (pod.Status?.PodIPs?.Select(p => p.Ip) ?? (pod.Status?.PodIP is { } ip ? [ip] : [])).Where(i => !string.IsNullOrEmpty(i)).ToArray();
        if (leftOut is null && ips.Length == 0)
            leftOut = "no address yet";
        if (leftOut is not null)
            return null;
        return new PodSpec
        {
            Name = name,
            Netns = null, // the API does not say: found by address on this node
            Ips = ips,
            Sidecar = HasSidecar(pod, annotations),
            Annotations = annotations.Where(a => a.Key.StartsWith(PodPolicy.AnnotationPrefix, StringComparison.Ordinal)).ToDictionary(),
        };
    }

    private static bool HasSidecar(V1Pod pod, IDictionary<string, string> annotations) =>
        pod.Spec.Containers?.Any(c => c.Name == ProxyContainer) == true
        || pod.Spec.InitContainers?.Any(c => c.Name == ProxyContainer && c.RestartPolicy == "Always") == true
        || annotations.ContainsKey(StatusAnnotation);
}
