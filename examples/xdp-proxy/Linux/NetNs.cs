using System.Runtime.InteropServices;

namespace Ebpf.Examples.XdpProxy.Linux;

/// <summary>
/// Runs code inside a named network namespace (/run/netns/NAME). setns(2) changes only the calling
/// thread, so the work runs on a fresh thread that ends afterwards; the rest of the process stays
/// where it was. Attaching XDP by ifindex, if_nametoindex and sockets all resolve in the thread's namespace.
/// </summary>
internal static partial class NetNs
{
    private const int CloneNewNet = 0x40000000;

    public static T Run<T>(string? netns, Func<T> work)
    {
        if (netns is null)
            return work();
        var path = Path.Combine("/run/netns", netns);
        if (!File.Exists(path))
            throw new ToolException($"network namespace '{netns}' does not exist (no {path}); list them with `ip netns list`");
        T? result = default;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var ns = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
                if (setns((int)ns.DangerousGetHandle(), CloneNewNet) != 0)
                    throw new ToolException($"setns({path}) failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())} (needs root)");
                result = work();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        if (error is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        return result!;
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

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint if_nametoindex(string name);
}
