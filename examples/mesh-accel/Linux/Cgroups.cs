namespace Ebpf.Examples.MeshAccel.Linux;

/// <summary>The cgroup v2 hierarchy as the agent and the lab use it.</summary>
internal static class Cgroups
{
    private static string? givenRoot;

    /// <summary>
    /// Takes <paramref name="dir"/> (--cgroup-root) as the cgroup2 root: in a pod the host's hierarchy is mounted at a path of
    /// its own (/host/cgroup), beside the pod's private cgroup namespace.
    /// </summary>
    public static void UseRoot(string dir)
    {
        if (!File.Exists(Path.Combine(dir, "cgroup.controllers")))
            throw new ToolException($"--cgroup-root {dir} is not a cgroup v2 directory (no cgroup.controllers there); in a pod, mount the host's cgroup2 there with a hostPath volume");
        givenRoot = Path.GetFullPath(dir).TrimEnd('/') is { Length: > 0 } r ? r : "/";
    }

    /// <summary>The cgroup2 root: --cgroup-root, else the mount point (found by the runtime, not hard-coded: hybrid systems mount it at .../unified).</summary>
    public static string Root() => givenRoot ?? KernelMounts.Cgroup2Root
        ?? throw new ToolException("no cgroup v2 hierarchy is mounted (mount -t cgroup2 none /sys/fs/cgroup): mesh-accel's programs attach to a cgroup v2");

    /// <summary>
    /// <paramref name="cgroup"/> as an absolute cgroup v2 directory; a relative path is taken under the cgroup2 mount.
    /// Throws with the reason when it is not one.
    /// </summary>
    public static string Check(string cgroup)
    {
        var root = Root();
        var path = Path.GetFullPath(Path.IsPathRooted(cgroup) ? cgroup : Path.Combine(root, cgroup)).TrimEnd('/');
        if (!Directory.Exists(path))
            throw new ToolException($"cgroup {path} does not exist (cgroup v2 is mounted at {root}; create it with mkdir, or give an existing one)");
        if (!File.Exists(Path.Combine(path, "cgroup.procs")) || !(path + "/").StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal))
            throw new ToolException($"{path} is not a cgroup v2 directory (cgroup v2 is mounted at {root})");
        return path;
    }

    public static void MovePid(string cgroup, int pid) => File.WriteAllText(Path.Combine(cgroup, "cgroup.procs"), pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static IReadOnlyList<int> Pids(string cgroup)
    {
        var file = Path.Combine(cgroup, "cgroup.procs");
        return File.Exists(file)
            ? File.ReadAllLines(file).Select(l => int.TryParse(l, out var p) ? p : -1).Where(p => p > 0).ToArray()
            : [];
    }

    /// <summary>Removes <paramref name="cgroup"/> and its children, killing what still runs in them (only the lab's processes live there).</summary>
    public static void Remove(string cgroup)
    {
        if (!Directory.Exists(cgroup))
            return;
        foreach (var child in Directory.EnumerateDirectories(cgroup))
            Remove(child);
        for (var attempt = 0; ; attempt++)
        {
            foreach (var pid in Pids(cgroup))
                if (pid != Environment.ProcessId)
                    Posix.Signal(pid, Posix.SigKill);
                else
                    MovePid(Root(), pid);
            try
            {
                Directory.Delete(cgroup); // rmdir: cgroupfs refuses a recursive delete of its control files
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException) when (attempt < 100)
            {
                Thread.Sleep(20); // killed processes leave the cgroup asynchronously
            }
        }
    }
}
