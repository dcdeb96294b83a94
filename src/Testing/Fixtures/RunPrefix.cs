using System.Globalization;

namespace Ebpf.Testing;

/// <summary>
/// Names of everything kernel tests create (cgroups, network namespaces, interfaces) start with
/// <c>ebt&lt;pid in hex&gt;</c>, so a run's leftovers are recognisable and a later run can delete those
/// whose process is gone. Interface names are limited to 15 characters: keep suffixes short.
/// </summary>
public static class RunPrefix
{
    /// <summary>The scheme shared by every run: "ebt" followed by the pid in lower-case hex.</summary>
    public const string Scheme = "ebt";

    private static readonly Lazy<bool> swept = new(() => { SweepLeftovers(); return true; });
    private static int counter;

    /// <summary>This run's prefix, e.g. "ebt1a2b".</summary>
    public static string Value { get; } = Scheme + Environment.ProcessId.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>A name unique within this run: prefix, a counter and <paramref name="hint"/>.</summary>
    public static string NewName(string hint = "")
    {
        var n = Interlocked.Increment(ref counter);
        return $"{Value}-{n.ToString("x", CultureInfo.InvariantCulture)}{hint}";
    }

    /// <summary>Deletes leftovers of dead runs, once per process; fixtures call it before creating anything.</summary>
    public static void EnsureSwept() => _ = swept.Value;

    /// <summary>The pid encoded in a name that follows the scheme, or null when the name is not ours.</summary>
    public static int? OwnerPid(string name)
    {
        if (!name.StartsWith(Scheme, StringComparison.Ordinal))
            return null;
        var end = Scheme.Length;
        while (end < name.Length && Uri.IsHexDigit(name[end]) && !char.IsUpper(name[end]))
            end++;
        if (end == Scheme.Length || end < name.Length && name[end] != '-')
            return null;
        return int.TryParse(name.AsSpan(Scheme.Length, end - Scheme.Length), NumberStyles.HexNumber,
                            CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    /// <summary>True when <paramref name="name"/> follows the scheme and its run's process no longer exists.</summary>
    public static bool IsLeftover(string name) =>
        OwnerPid(name) is { } pid && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}");

    /// <summary>Removes network namespaces, interfaces, cgroups and bpffs pins of dead runs.</summary>
    public static void SweepLeftovers()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
            return;
        if (Directory.Exists("/var/run/netns"))
            foreach (var ns in Directory.EnumerateFiles("/var/run/netns").Select(Path.GetFileName))
                if (ns is not null && IsLeftover(ns))
                    HostCommand.Run("ip", "netns", "del", ns);
        if (Directory.Exists("/sys/class/net"))
            foreach (var dev in Directory.EnumerateFileSystemEntries("/sys/class/net").Select(Path.GetFileName))
                if (dev is not null && IsLeftover(dev))
                    HostCommand.Run("ip", "link", "del", dev);
        if (TempCgroup.FindCgroup2Root() is { } root)
            foreach (var dir in Directory.EnumerateDirectories(root))
                if (IsLeftover(Path.GetFileName(dir)))
                    TempCgroup.RemoveTree(dir);
        // Pins keep kernel objects (maps, programs, links that stay attached) alive after a crashed run: unlink them.
        foreach (var bpffs in Ebpf.KernelMounts.BpfFsMounts)
            foreach (var entry in Directory.EnumerateFileSystemEntries(bpffs))
                if (IsLeftover(Path.GetFileName(entry)))
                {
                    if (Directory.Exists(entry))
                        Directory.Delete(entry, recursive: true);
                    else
                        File.Delete(entry);
                }
        KillLeftoverProcesses();
        // Scratch folders of dead runs (nginx prefixes of the xdp-proxy lab, /tmp/<prefix>-meshlab of the mesh-accel lab):
        // removed after their processes, which may still write into them.
        foreach (var entry in Directory.EnumerateFileSystemEntries(Path.GetTempPath()))
            if (IsLeftover(Path.GetFileName(entry)))
            {
                if (Directory.Exists(entry))
                    Directory.Delete(entry, recursive: true);
                else
                    File.Delete(entry);
            }
    }

    /// <summary>
    /// Daemons a dead run started (nginx in a lab namespace, a benchmark server) outlive their namespace. A process is
    /// the run's when its command line names a leftover (e.g. "-p /tmp/ebt1a2b-3xp-be1"), or when it holds a file open
    /// under a leftover path: an nginx worker's command line is only "nginx: worker process", and once its master is
    /// gone it hangs off init, but it keeps the error log in the run's scratch folder open.
    /// </summary>
    private static void KillLeftoverProcesses()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
                continue;
            if (NamesLeftover(ReadOrEmpty(Path.Combine(dir, "cmdline"))) || OpenFiles(dir).Any(NamesLeftover))
                HostCommand.Run("kill", "-KILL", pid.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static bool NamesLeftover(string text) =>
        text.Split(['\0', ' ', '/', ':', '='], StringSplitOptions.RemoveEmptyEntries).Any(IsLeftover);

    private static string ReadOrEmpty(string file)
    {
        try { return File.ReadAllText(file); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    /// <summary>The paths a process has open (the targets of /proc/pid/fd) and its working directory; empty when it is gone.</summary>
    private static IEnumerable<string> OpenFiles(string procDir)
    {
        var links = new List<string>();
        try
        {
            links.AddRange(Directory.EnumerateFileSystemEntries(Path.Combine(procDir, "fd")));
            links.Add(Path.Combine(procDir, "cwd"));
        }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
        var targets = new List<string>();
        foreach (var link in links)
        {
            try
            {
                if (new FileInfo(link).LinkTarget is { } target && target.StartsWith('/'))
                    targets.Add(target);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return targets;
    }
}
