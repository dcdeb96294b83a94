namespace Ebpf.Examples.MeshAccel.Linux;

/// <summary>The BPF file system the pins live in. A fresh machine often has none mounted at /sys/fs/bpf; the agent mounts it, as Cilium's does.</summary>
internal static class BpfFs
{
    public static void EnsureMounted(string pinDir)
    {
        var full = Path.GetFullPath(pinDir);
        if (KernelMounts.BpfFsMounts.Any(m => (full + "/").StartsWith(m.TrimEnd('/') + "/", StringComparison.Ordinal)))
            return;
        if (!full.StartsWith("/sys/fs/bpf/", StringComparison.Ordinal))
            throw new ToolException($"{pinDir} is not in a mounted BPF file system; pins need one (mount -t bpf bpf DIR, or use a directory under /sys/fs/bpf)");
        Tool.Run("mount", "-t", "bpf", "bpf", "/sys/fs/bpf");
    }
}
