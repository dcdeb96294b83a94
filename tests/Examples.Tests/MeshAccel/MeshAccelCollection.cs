namespace Ebpf.Examples.Tests.MeshAccel;

/// <summary>
/// The mesh-accel tests build labs of namespaces, cgroups, nginx and HAProxy processes and attach cgroup programs to
/// the lab's cgroup only: one at a time, so two labs never compete for the machine's two CPUs mid-test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeshAccelCollection
{
    public const string Name = "mesh-accel (kernel)";
}
