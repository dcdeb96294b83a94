using System.Diagnostics;
using Ebpf.Links;

namespace Ebpf.Testing;

/// <summary>
/// A temporary cgroup v2 directory under the cgroup2 mount, named with the run prefix. Processes are put
/// in it with <see cref="MovePid"/> or started in it with <see cref="Start"/>/<see cref="Run"/>. Dispose
/// kills the processes it started, moves any other (e.g. the test process itself) back to the root cgroup,
/// and removes the directory, so cgroup programs attached to it go with it. Before that it checks for leaks: a
/// program still attached to the cgroup (a link or attachment the test did not dispose) makes Dispose throw
/// <see cref="FixtureLeakException"/> after cleaning up, unless <see cref="CheckLeaks"/> is false.
/// </summary>
public sealed class TempCgroup : IDisposable
{
    private readonly List<Process> started = new();
    private bool disposed;

    public TempCgroup(string hint = "cg")
    {
        RunPrefix.EnsureSwept();
        Root = FindCgroup2Root()
            ?? throw new InvalidOperationException("no cgroup2 mount in /proc/self/mountinfo; mount one (mount -t cgroup2 none /sys/fs/cgroup)");
        Path = System.IO.Path.Combine(Root, RunPrefix.NewName(hint));
        Directory.CreateDirectory(Path);
    }

    /// <summary>The cgroup2 mount point this cgroup lives under.</summary>
    public string Root { get; }

    /// <summary>The cgroup's directory; this is what cgroup attach methods take.</summary>
    public string Path { get; }

    /// <summary>The mount point of the cgroup v2 hierarchy; null when none (the runtime's <see cref="KernelMounts.Cgroup2Root"/>).</summary>
    public static string? FindCgroup2Root() => KernelMounts.Cgroup2Root;

    /// <summary>Moves a process (all its threads) into this cgroup.</summary>
    public void MovePid(int pid) => File.WriteAllText(System.IO.Path.Combine(Path, "cgroup.procs"), pid.ToString());

    /// <summary>
    /// Runs <paramref name="action"/> with this process inside the cgroup (a socket it creates belongs to the cgroup,
    /// so the cgroup's sockops program sees it), then moves the process back where it was, also when it throws.
    /// </summary>
    public T Enter<T>(Func<T> action)
    {
        var home = Of(Environment.ProcessId);
        MovePid(Environment.ProcessId);
        try
        {
            return action();
        }
        finally
        {
            File.WriteAllText(System.IO.Path.Combine(home, "cgroup.procs"), Environment.ProcessId.ToString());
        }
    }

    /// <summary>The cgroup v2 directory process <paramref name="pid"/> is in (the "0::" line of /proc/PID/cgroup).</summary>
    public static string Of(int pid)
    {
        var root = FindCgroup2Root() ?? throw new InvalidOperationException("no cgroup2 mount in /proc/self/mountinfo");
        var line = File.ReadLines($"/proc/{pid}/cgroup").First(l => l.StartsWith("0::", StringComparison.Ordinal));
        return System.IO.Path.Join(root, line[3..]);
    }

    /// <summary>
    /// Starts a process that is already in this cgroup when it execs (a shell writes its own pid to
    /// cgroup.procs, then execs the program), so even its first socket belongs to the cgroup.
    /// </summary>
    public Process Start(string file, params string[] args)
    {
        var p = StartIn(Path, file, args);
        lock (started)
            started.Add(p);
        return p;
    }

    /// <summary>
    /// Starts a process that is already in cgroup directory <paramref name="cgroupDirectory"/> (any, e.g. a nested one)
    /// when it execs; the caller owns it.
    /// </summary>
    public static Process StartIn(string cgroupDirectory, string file, params string[] args) =>
        HostCommand.Start("/bin/sh", ["-c", "echo $$ > \"$0\" && exec \"$@\"", System.IO.Path.Combine(cgroupDirectory, "cgroup.procs"), file, .. args]);

    /// <summary>Runs a program inside this cgroup to completion (killed after 60 s).</summary>
    public CommandResult Run(string file, params string[] args) =>
        HostCommand.Finish(Start(file, args), $"[{Path}] {file} {string.Join(' ', args)}");

    /// <summary>The pids currently in this cgroup.</summary>
    public IReadOnlyList<int> Pids() => ReadPids(Path);

    /// <summary>Whether Dispose fails when programs are still attached to the cgroup (default true).</summary>
    public bool CheckLeaks { get; set; } = true;

    /// <summary>
    /// The programs attached to this cgroup itself (not inherited), one line per program with its hook, e.g.
    /// "Inet4Connect: redirect (id 42, CgroupSockAddr)". Empty when the test has disposed all its links.
    /// </summary>
    public IReadOnlyList<string> AttachedProgramsLeft()
    {
        var found = new List<string>();
        foreach (var hook in Enum.GetValues<CgroupHook>())
        {
            try
            {
                found.AddRange(AttachedPrograms.OnCgroup(Path, hook).Select(p => $"{hook}: {p}"));
            }
            catch (BpfAttachException)
            {
                // A hook this kernel does not know (EINVAL): nothing can be attached there.
            }
        }
        return found;
    }

    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        var leaks = CheckLeaks && Directory.Exists(Path) ? AttachedProgramsLeft() : [];
        lock (started)
        {
            foreach (var p in started)
            {
                try { if (!p.HasExited) p.Kill(entireProcessTree: true); p.WaitForExit(5000); }
                catch (InvalidOperationException) { }
                p.Dispose();
            }
        }
        RemoveTree(Path);
        if (leaks.Count > 0)
            throw new FixtureLeakException($"cgroup {Path}", leaks);
    }

    /// <summary>
    /// Empties and removes a cgroup directory and its children: the current process is moved to the
    /// root cgroup, every other process is killed (only test processes live in test cgroups).
    /// </summary>
    public static void RemoveTree(string dir)
    {
        // Two test processes may sweep the same dead run's leftovers at once: a directory that vanishes
        // under us was removed by the other one, which is the outcome we want.
        try
        {
            foreach (var child in Directory.GetDirectories(dir))
                RemoveTree(child);
        }
        catch (DirectoryNotFoundException)
        {
            return;
        }
        var root = FindCgroup2Root();
        for (var attempt = 0; attempt < 50; attempt++)
        {
            foreach (var pid in ReadPids(dir))
            {
                if (pid == Environment.ProcessId && root is not null)
                    File.WriteAllText(System.IO.Path.Combine(root, "cgroup.procs"), pid.ToString());
                else
                    try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
            }
            try
            {
                Directory.Delete(dir); // rmdir: cgroupfs refuses recursive delete of its control files
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException) when (attempt < 49)
            {
                Thread.Sleep(20); // killed processes leave the cgroup asynchronously
            }
        }
    }

    private static List<int> ReadPids(string dir)
    {
        var file = System.IO.Path.Combine(dir, "cgroup.procs");
        var pids = new List<int>();
        string[] lines;
        try { lines = File.ReadAllLines(file); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return pids; } // removed meanwhile
        foreach (var line in lines)
            if (int.TryParse(line, out var pid))
                pids.Add(pid);
        return pids;
    }
}
