using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Ebpf.Examples.MeshAccel.Linux;

/// <summary>
/// The cookie the kernel gives a network namespace (bpf_get_netns_cookie in the programs; SO_NETNS_COOKIE, Linux 5.14+,
/// on any socket of it from user space). mesh-accel.bpf.c knows which pod a connecting process is in by this number.
/// </summary>
internal static partial class NetnsCookie
{
    private const int SolSocket = 1;
    private const int SoNetnsCookie = 71;
    private const int CloneNewNet = 0x40000000;

    /// <summary>The path of a namespace given as a name under /run/netns or as a path.</summary>
    public static string PathOf(string netns) => netns.Contains('/') ? netns : Path.Combine("/run/netns", netns);

    /// <summary>The cookie of the namespace at <paramref name="path"/> (a /run/netns file or /proc/PID/ns/net).</summary>
    public static ulong Of(string path)
    {
        if (!File.Exists(path))
            throw new ToolException($"network namespace {path} does not exist");
        ulong cookie = 0;
        Exception? error = null;
        // setns changes only the calling thread: a thread of its own, which ends with its namespace membership.
        var thread = new Thread(() =>
        {
            try
            {
                using (var ns = File.OpenHandle(path, FileMode.Open, FileAccess.Read))
                    if (setns((int)ns.DangerousGetHandle(), CloneNewNet) != 0)
                        throw new ToolException($"cannot enter network namespace {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())} (needs root)");
                cookie = OfCurrentThread();
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
        return cookie;
    }

    /// <summary>The cookie of the namespace the calling thread is in.</summary>
    public static ulong OfCurrentThread()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        Span<byte> value = stackalloc byte[8];
        try
        {
            var n = s.GetRawSocketOption(SolSocket, SoNetnsCookie, value);
            if (n != 8)
                throw new ToolException($"SO_NETNS_COOKIE returned {n} bytes, not 8");
        }
        catch (SocketException e)
        {
            throw new ToolException($"cannot read the network namespace cookie (SO_NETNS_COOKIE, Linux 5.14+): {e.Message}");
        }
        return MemoryMarshal.Read<ulong>(value);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);
}
