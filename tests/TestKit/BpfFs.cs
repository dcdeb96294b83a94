namespace Ebpf.TestKit;

/// <summary>
/// The BPF file system (for pinning), mounted at /sys/fs/bpf when it is missing (a fresh machine has
/// none). An instance is a temporary directory in it named with the run prefix, removed on dispose
/// together with whatever was pinned there.
/// </summary>
public sealed class BpfFs : IDisposable
{
    public BpfFs(string hint = "pin")
    {
        RunPrefix.EnsureSwept();
        Path = System.IO.Path.Combine(EnsureMounted(), RunPrefix.NewName(hint));
        Directory.CreateDirectory(Path);
    }

    /// <summary>The temporary directory inside bpffs.</summary>
    public string Path { get; }

    /// <summary>The bpffs mount point, mounting it at /sys/fs/bpf if needed.</summary>
    public static string EnsureMounted() => MountedFs.Ensure("bpf", "/sys/fs/bpf");

    public void Dispose()
    {
        // Unlinking a pin drops the kernel object's reference; bpffs allows plain recursive delete.
        if (Directory.Exists(Path))
            Directory.Delete(Path, recursive: true);
    }
}
