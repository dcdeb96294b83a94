namespace Ebpf.Generator.Tests;

/// <summary>Tests that load programs and attach them to global hooks (a raw tracepoint on sys_enter) run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelCollection
{
    public const string Name = "Kernel";
}
