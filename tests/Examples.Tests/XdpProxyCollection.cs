namespace Ebpf.Examples.Tests;

/// <summary>
/// The xdp-proxy tests load programs, mount bpffs, create namespaces and enable BPF statistics: they
/// run one at a time, apart from other kernel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class XdpProxyCollection
{
    public const string Name = "xdp-proxy (kernel)";
}
