using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Ebpf.Examples.MeshAccel.Linux;

/// <summary>
/// The cookie the kernel gives a network namespace (bpf_get_netns_cookie in the programs; SO_NETNS_COOKIE, Linux 5.14+,
/// on any socket of it from user space). mesh-accel.bpf.c knows which pod a connecting process is in by this number.
/// </summary>
internal static partial class NetnsCookie
{
    private const int SolSocket = 1;
    private const int SoNetnsCookie = 71;

    /// <summary>NS_GET_ID of linux/nsfs.h: _IOR(0xb7, 13, __u64).</summary>
    private const uint NsGetId = 0x8008b70d;

    /// <summary>The path of a namespace given as a name under /run/netns or as a path.</summary>
    public static string PathOf(string netns) => netns.Contains('/') ? netns : Path.Combine("/run/netns", netns);

    /// <summary>
    /// The cookie of the namespace at <paramref name="path"/> (a /run/netns file or /proc/PID/ns/net). Asked of the nsfs
    /// file with the NS_GET_ID ioctl where the kernel has it (its namespace id is the netns cookie; Linux 6.18 here), which
    /// needs no capability beyond opening the file; else by entering the namespace, which needs CAP_SYS_ADMIN.
    /// </summary>
    public static ulong Of(string path)
    {
        if (!File.Exists(path))
            throw new ToolException($"network namespace {path} does not exist");
        SafeFileHandle ns;
        try
        {
            ns = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        }
        catch (UnauthorizedAccessException)
        {
            throw new ToolException($"cannot open network namespace {path}: permission denied (another process's namespace: needs CAP_SYS_PTRACE, and hostPID in a pod)");
        }
        using (ns)
        {
            ulong id = 0;
            if (ioctl((int)ns.DangerousGetHandle(), NsGetId, ref id) == 0 && id != 0)
                return id;
        }
        return ByEntering(path);
    }

    /// <summary>Older kernels: enter the namespace (on a thread of its own) and ask a socket there (SO_NETNS_COOKIE).</summary>
    private static ulong ByEntering(string path)
    {
        try
        {
            return NetworkNamespace.Run(path, OfCurrentThread);
        }
        catch (NetworkNamespaceException e)
        {
            throw new ToolException($"{e.Message} (this kernel has no NS_GET_ID ioctl, so reading a namespace's cookie needs CAP_SYS_ADMIN)");
        }
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
    private static partial int ioctl(int fd, uint request, ref ulong value);
}
