using System.Globalization;

namespace Ebpf.Examples.Sockredir.Linux;

/// <summary>
/// The names of the cgroups `run` creates, "sockredir-&lt;pid&gt;", and the sweep of the ones whose run is gone.
/// The pid in the name is what makes a leftover recognisable: a run killed by SIGKILL cannot remove its cgroup,
/// so the next run does, but only when that pid no longer exists and nobody is left in the cgroup.
/// </summary>
internal static class RunCgroupNames
{
    public const string Prefix = "sockredir-";

    public static string For(int pid) => Prefix + pid.ToString(CultureInfo.InvariantCulture);

    /// <summary>The pid in a "sockredir-&lt;pid&gt;" name, or null for any other name (a user's "sockredir-web" is not ours).</summary>
    public static int? OwnerPid(string name) =>
        name.StartsWith(Prefix, StringComparison.Ordinal) &&
        int.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0
            ? pid
            : null;

    /// <summary>
    /// Removes the cgroups under <paramref name="parent"/> left by runs that no longer exist, when they are empty (no
    /// process, no child cgroup). Never touches one whose pid is alive (its run, or, if the pid was reused, some other
    /// process: kept until that one ends too) nor one with processes in it. Returns one line per cgroup removed or kept.
    /// </summary>
    public static IReadOnlyList<string> SweepLeftovers(string parent)
    {
        var report = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories(parent, Prefix + "*"))
        {
            if (OwnerPid(Path.GetFileName(dir)) is not { } pid || pid == Environment.ProcessId || Directory.Exists($"/proc/{pid}"))
                continue;
            if (Cgroups.Pids(dir).Count > 0 || Directory.EnumerateDirectories(dir).Any())
            {
                report.Add($"kept {dir}: its run (pid {pid}) is gone but processes or child cgroups are still in it; move them out and the next run removes it");
                continue;
            }
            try
            {
                Directory.Delete(dir); // rmdir fails (EBUSY) if a process entered it meanwhile: then it stays
                report.Add($"removed {dir}, left by run {pid} that no longer exists");
            }
            catch (DirectoryNotFoundException)
            {
                // another run starting at the same moment removed it first
            }
            catch (IOException e)
            {
                report.Add($"kept {dir}: {e.Message}"); // a process entered it meanwhile
            }
        }
        return report;
    }
}
