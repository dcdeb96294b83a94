namespace Ebpf.Examples.Tcptop.Kernel;

/// <summary>How the kernel side is sized and what it tracks; every map is a plain hash of this many entries.</summary>
internal sealed record TracerOptions
{
    public int MaxProcesses { get; init; } = 16384;
    public int MaxCgroups { get; init; } = 4096;
    public int MaxConnections { get; init; } = 16384;

    /// <summary>Per-connection bytes (`top --by connection`): one more map update per send and receive, so off otherwise.</summary>
    public bool TrackConnections { get; init; }

    /// <summary>A BTF file to check the kernel against instead of /sys/kernel/btf/vmlinux (BpfObjectOptions.KernelBtfPath).</summary>
    public string? KernelBtfPath { get; init; }
}
