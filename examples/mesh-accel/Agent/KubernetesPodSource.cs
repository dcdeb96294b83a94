using Ebpf.Examples.MeshAccel.Mesh;

namespace Ebpf.Examples.MeshAccel.Agent;

/// <summary>Pods of this node from the Kubernetes API (not landed yet: see docs/mesh-accel.md).</summary>
internal sealed class KubernetesPodSource : IPodSource
{
    public string Description => "kubernetes";

    public static IPodSource Create(string? node, Action<string> log) =>
        throw new ToolException("--pods-from kubernetes is not implemented yet; use --pods-from file:PATH");

    public IAsyncEnumerable<IReadOnlyList<PodSpec>> Watch(CancellationToken stop) => throw new NotSupportedException();
}
