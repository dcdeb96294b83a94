using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Ebpf.Examples.Linux;

/// <summary>
/// Named network namespaces (`ip netns`, /run/netns/NAME): making and deleting them, starting processes in them (and
/// in a cgroup), and running code in them (<see cref="Run{T}"/>, on a fresh thread through Ebpf.Runtime's
/// <see cref="NetworkNamespace"/>: setns(2) changes only the calling thread). Attaching XDP by ifindex,
/// if_nametoindex and sockets all resolve in the thread's namespace.
/// </summary>
public static partial class NetNs
{
    /// <summary>Creates namespace <paramref name="name"/> with its loopback up.</summary>
    public static void Add(string name)
    {
        Tool.Run("ip", "netns", "add", name);
        Tool.Run("ip", "-n", name, "link", "set", "lo", "up");
    }

    /// <summary>Kills what still runs in <paramref name="name"/> and deletes it (no error when it is already gone).</summary>
    public static void Delete(string name)
    {
        var pids = Tool.TryRun("ip", "netns", "pids", name);
        foreach (var line in pids.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (int.TryParse(line.Trim(), out var pid) && pid != Environment.ProcessId)
                try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
        Tool.TryRun("ip", "netns", "del", name);
    }

    /// <summary>
    /// Starts <paramref name="file"/> already inside <paramref name="cgroup"/> (a shell puts itself in the cgroup, then
    /// execs, so even the program's first socket belongs to it) and inside namespace <paramref name="netns"/> when given.
    /// The cgroup is joined before `ip netns exec`, which remounts /sys and would hide the cgroup file system.
    /// </summary>
    public static RunningTool StartIn(string? cgroup, string? netns, string file, params string[] args)
    {
        var inner = netns is null ? [file, .. args] : new[] { "ip", "netns", "exec", netns, file }.Concat(args).ToArray();
        if (cgroup is null)
            return Tool.Start(inner[0], inner[1..]);
        return Tool.Start("/bin/sh", ["-c", "echo $$ > \"$0\" && exec \"$@\"", Path.Combine(cgroup, "cgroup.procs"), .. inner]);
    }

    /// <summary>Runs <paramref name="work"/> inside <paramref name="netns"/> (here when null) and returns its result.</summary>
    public static T Run<T>(string? netns, Func<T> work)
    {
        if (netns is null)
            return work();
        try
        {
            return NetworkNamespace.Run(Path.Combine("/run/netns", netns), work);
        }
        catch (NetworkNamespaceException e)
        {
            throw new ToolException(e.Message);
        }
    }

    public static void Run(string? netns, Action work) => Run<int>(netns, () => { work(); return 0; });

    /// <summary>The interface's index as seen in <paramref name="netns"/>.</summary>
    public static int IfIndex(string? netns, string iface) => Run(netns, () =>
    {
        var index = if_nametoindex(iface);
        if (index == 0)
            throw new ToolException($"no interface '{iface}' in {(netns is null ? "this network namespace" : $"network namespace '{netns}'")}");
        return (int)index;
    });

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint if_nametoindex(string name);
}
