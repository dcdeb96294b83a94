namespace Ebpf.Internal;

/// <summary>Resolves and opens a cgroup v2 directory named by path, for attaching cgroup programs.</summary>
internal static class CgroupPath
{
    private const int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;

    /// <summary>The cgroup2 mount point, or null (see <see cref="KernelMounts.Cgroup2Root"/>).</summary>
    public static string? FindCgroup2Mount() => KernelMounts.Cgroup2Root;

    /// <summary>
    /// An absolute path as given; a relative one is taken relative to the cgroup2 mount ("system.slice/x"),
    /// since a cgroup's name is its place in the hierarchy.
    /// </summary>
    public static string Resolve(string path)
    {
        if (Path.IsPathRooted(path))
            return path;
        var mount = FindCgroup2Mount()
            ?? throw new DirectoryNotFoundException($"cgroup '{path}' is relative but no cgroup v2 hierarchy is mounted (none in /proc/self/mountinfo)");
        return Path.Combine(mount, path);
    }

    /// <summary>Opens the directory read-only; the fd is what BPF_LINK_CREATE takes as target_fd.</summary>
    public static BpfFd Open(string resolved)
    {
        var fd = Libc.Open(resolved, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            var mount = FindCgroup2Mount();
            throw new DirectoryNotFoundException(
                $"cannot open cgroup '{resolved}' ({Errno.Describe(errno)}): give the path of an existing cgroup v2 directory"
                + (mount is null ? "; no cgroup v2 hierarchy is mounted" : $" (the cgroup v2 hierarchy is mounted at {mount})"));
        }
        return new BpfFd(fd);
    }
}
