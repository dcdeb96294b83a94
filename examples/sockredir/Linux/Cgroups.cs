namespace Ebpf.Examples.Sockredir.Linux;

/// <summary>The cgroup v2 hierarchy: where it is mounted, making and removing cgroups, which cgroup a process is in.</summary>
internal static class Cgroups
{
    /// <summary>The cgroup2 mount point (found by the runtime, not hard-coded: hybrid systems mount it at .../unified).</summary>
    public static string Root() => KernelMounts.Cgroup2Root
        ?? throw new ToolException("no cgroup v2 hierarchy is mounted (mount -t cgroup2 none /sys/fs/cgroup): sockops programs attach to a cgroup v2");

    /// <summary>The cgroup v2 directory of process <paramref name="pid"/> (the "0::" line of /proc/PID/cgroup).</summary>
    public static string Of(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/cgroup"))
            if (line.StartsWith("0::", StringComparison.Ordinal))
                return Path.Join(Root(), line[3..]);
        return Root();
    }

    public static void MovePid(string cgroup, int pid) => File.WriteAllText(Path.Combine(cgroup, "cgroup.procs"), pid.ToString());

    public static IReadOnlyList<int> Pids(string cgroup)
    {
        var file = Path.Combine(cgroup, "cgroup.procs");
        return File.Exists(file)
            ? File.ReadAllLines(file).Select(l => int.TryParse(l, out var p) ? p : -1).Where(p => p > 0).ToArray()
            : [];
    }

    /// <summary>
    /// Removes <paramref name="cgroup"/> and its children: this process is moved to <paramref name="home"/>, other
    /// processes (only ones the example started live there) are killed. Removing a cgroup detaches its programs.
    /// </summary>
    public static void Remove(string cgroup, string home)
    {
        if (!Directory.Exists(cgroup))
            return;
        foreach (var child in Directory.EnumerateDirectories(cgroup))
            Remove(child, home);
        for (var attempt = 0; ; attempt++)
        {
            foreach (var pid in Pids(cgroup))
            {
                if (pid == Environment.ProcessId)
                    MovePid(home, pid);
                else
                    try { System.Diagnostics.Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
            }
            try
            {
                Directory.Delete(cgroup); // rmdir: cgroupfs refuses a recursive delete of its control files
                return;
            }
            catch (IOException) when (attempt < 100)
            {
                Thread.Sleep(20); // killed processes leave the cgroup asynchronously
            }
        }
    }
}
