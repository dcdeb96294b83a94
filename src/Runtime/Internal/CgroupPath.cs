namespace Ebpf.Internal;

/// <summary>Resolves and opens a cgroup v2 directory named by path, for attaching cgroup programs.</summary>
internal static partial class CgroupPath
{
    private const int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;

    /// <summary>
    /// The cgroup2 mount point from /proc/self/mountinfo, or null. It is found, not assumed: distributions
    /// mount it at /sys/fs/cgroup (unified) or /sys/fs/cgroup/unified (hybrid).
    /// </summary>
    public static string? FindCgroup2Mount()
    {
        if (!File.Exists("/proc/self/mountinfo"))
            return null;
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var sep = line.IndexOf(" - ", StringComparison.Ordinal);
            if (sep < 0 || !line.AsSpan(sep + 3).StartsWith("cgroup2 "))
                continue;
            var fields = line[..sep].Split(' ');
            if (fields.Length > 4)
                return fields[4].Replace("\\040", " ");
        }
        return null;
    }

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
        var fd = Open(resolved, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            var mount = FindCgroup2Mount();
            throw new DirectoryNotFoundException(
                $"cannot open cgroup '{resolved}' ({Ebpf.Links.Errno.Describe(errno)}): give the path of an existing cgroup v2 directory"
                + (mount is null ? "; no cgroup v2 hierarchy is mounted" : $" (the cgroup v2 hierarchy is mounted at {mount})"));
        }
        return new BpfFd(fd);
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "open", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);
}
