namespace Ebpf.Deploy.Tests;

/// <summary>Tests that attach programs, create cgroups or run containers: one at a time (they share the kernel's state).</summary>
[CollectionDefinition(nameof(KernelState), DisableParallelization = true)]
public sealed class KernelState;
