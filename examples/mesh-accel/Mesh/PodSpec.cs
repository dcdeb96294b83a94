using System.Text.Json.Serialization;

namespace Ebpf.Examples.MeshAccel.Mesh;

/// <summary>
/// One pod of this node as a pod source reports it: the same facts the Kubernetes API gives (addresses, whether it has a
/// sidecar, its annotations), plus where its network namespace is, which the API does not say. The pods file
/// (`--pods-from file:PATH`) and the lab's state file are lists of these in JSON.
/// </summary>
internal sealed record PodSpec
{
    public required string Name { get; init; }

    /// <summary>The pod's network namespace: a name under /run/netns, or a path (/proc/PID/ns/net). Null: found by address.</summary>
    public string? Netns { get; init; }

    /// <summary>The pod's addresses, at most one IPv4 and one IPv6.</summary>
    public IReadOnlyList<string> Ips { get; init; } = [];

    /// <summary>True when the pod has an istio-proxy sidecar: its traffic is captured.</summary>
    public bool Sidecar { get; init; }

    /// <summary>Kubernetes annotations; the traffic.sidecar.istio.io/ ones are honoured (see <see cref="PodPolicy"/>).</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();
}

/// <summary>The JSON document of a pods file: { "pods": [ ... ] }.</summary>
internal sealed record PodList
{
    public IReadOnlyList<PodSpec> Pods { get; init; } = [];
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(PodList))]
internal sealed partial class MeshJson : JsonSerializerContext;
