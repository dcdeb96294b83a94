namespace Ebpf.Runtime.Tests.AttachSupport;

/// <summary>
/// Tests that attach programs to kernel hooks, create namespaces/cgroups or toggle statistics: they touch
/// global state, so they run one at a time and never next to each other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelCollection
{
    public const string Name = "Kernel attach (global state)";
}
