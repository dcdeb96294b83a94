using Ebpf.Examples.Tcptop.Linux;

namespace Ebpf.Examples.Tcptop.Cgroups;

/// <summary>
/// Cgroup id (what the kernel side records) to the cgroup's path below the cgroup v2 root ("/" for the root itself,
/// "kubepods.slice/..." otherwise). Ids are inode numbers of the cgroup2 directories: the tree is walked once and
/// again when an unknown id turns up (at most once a second); a removed cgroup keeps its last known name.
/// </summary>
internal sealed class CgroupNames
{
    private readonly string root;
    private readonly Dictionary<ulong, string> names = [];
    private DateTime lastScan = DateTime.MinValue;

    public CgroupNames(string? root = null)
    {
        if (root is not null && !File.Exists(Path.Combine(root, "cgroup.controllers")))
            throw new ToolException($"--cgroup-root {root} is not a cgroup v2 directory (no cgroup.controllers there); in a pod, mount the host's cgroup2 there with a hostPath volume");
        this.root = root is not null ? Path.GetFullPath(root).TrimEnd('/') is { Length: > 0 } r ? r : "/" : Ebpf.KernelMounts.Cgroup2Root
            ?? throw new ToolException("no cgroup v2 hierarchy is mounted (none in /proc/self/mountinfo): tcptop names cgroups by their cgroup2 path");
        Scan();
    }

    /// <summary>The cgroup2 mount point.</summary>
    public string Root => root;

    public string NameOf(ulong id)
    {
        if (names.TryGetValue(id, out var name))
            return name;
        if (DateTime.UtcNow - lastScan > TimeSpan.FromSeconds(1))
        {
            Scan();
            if (names.TryGetValue(id, out name))
                return name;
        }
        return $"cgroup-id:{id}"; // gone before it was ever seen, or created within the last second
    }

    /// <summary>Whether the cgroup's directory is still there (a removed cgroup keeps its name until <see cref="Forget"/>).</summary>
    public bool Exists(ulong id) =>
        names.TryGetValue(id, out var name) && Directory.Exists(name == "/" ? root : Path.Combine(root, name));

    public void Forget(ulong id) => names.Remove(id);

    /// <summary>The id of a cgroup given as a path (absolute, or relative to the cgroup2 root); an error if it is not one.</summary>
    public ulong IdOf(string path)
    {
        var full = Path.IsPathRooted(path) && path.StartsWith(root, StringComparison.Ordinal) ? path : Path.Combine(root, path.TrimStart('/'));
        if (!File.Exists(Path.Combine(full, "cgroup.procs")))
            throw new ToolException($"unknown cgroup '{path}': {full} is not a cgroup v2 directory (the cgroup2 hierarchy is mounted at {root}; give a path below it)");
        return InodeNumber.Of(full) ?? throw new ToolException($"cannot stat cgroup {full}");
    }

    /// <summary>The path below the root, as the label shows it.</summary>
    public string Relative(string fullPath)
    {
        var rel = Path.GetRelativePath(root, fullPath);
        return rel == "." ? "/" : rel;
    }

    private void Scan()
    {
        lastScan = DateTime.UtcNow;
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            if (InodeNumber.Of(dir) is { } id)
                names[id] = Relative(dir);
            try
            {
                foreach (var sub in Directory.EnumerateDirectories(dir))
                    pending.Push(sub);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // removed while walking
            }
        }
    }
}
