using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Ebpf.Examples.Sockredir.Linux;

/// <summary>Network namespaces made with `ip netns`, and starting processes in a cgroup and a namespace.</summary>
internal static partial class NetNs
{
    private const int CLONE_NEWNET = 0x40000000;

    /// <summary>Creates namespace <paramref name="name"/> with its loopback up.</summary>
    public static void Add(string name)
    {
        Shell.Run("ip", "netns", "add", name);
        Shell.Run("ip", "-n", name, "link", "set", "lo", "up");
    }

    /// <summary>Kills what still runs in <paramref name="name"/> and deletes it (no error when it is already gone).</summary>
    public static void Delete(string name)
    {
        var pids = Shell.TryRun("ip", "netns", "pids", name);
        foreach (var line in pids.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (int.TryParse(line.Trim(), out var pid) && pid != Environment.ProcessId)
                try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
        Shell.TryRun("ip", "netns", "del", name);
    }

    /// <summary>
    /// Starts <paramref name="file"/> already inside <paramref name="cgroup"/> (a shell puts itself in the cgroup, then
    /// execs, so even the program's first socket belongs to it) and inside namespace <paramref name="netns"/> when given.
    /// The cgroup is joined before `ip netns exec`, which remounts /sys and would hide the cgroup file system.
    /// </summary>
    public static Process StartIn(string? cgroup, string? netns, string file, params string[] args)
    {
        var inner = netns is null ? [file, .. args] : new[] { "ip", "netns", "exec", netns, file }.Concat(args).ToArray();
        if (cgroup is null)
            return Shell.Start(inner[0], inner[1..]);
        return Shell.Start("/bin/sh", ["-c", "echo $$ > \"$0\" && exec \"$@\"", Path.Combine(cgroup, "cgroup.procs"), .. inner]);
    }

    /// <summary>Runs <paramref name="action"/> on a thread that joined <paramref name="netns"/>; sockets it creates live there.</summary>
    public static T Enter<T>(string netns, Func<T> action)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var ns = File.OpenHandle($"/var/run/netns/{netns}");
                if (setns((int)ns.DangerousGetHandle(), CLONE_NEWNET) != 0)
                    throw new ToolException($"cannot enter network namespace {netns}: errno {Marshal.GetLastPInvokeError()} (needs root)");
                result = action();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join(); // the thread, and its namespace membership, ends here
        if (error is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        return result;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);
}
