using System.Runtime.InteropServices;

namespace Ebpf.Internal;

/// <summary>
/// Every libc function the runtime calls, and nothing else: the one file with P/Invoke declarations (a test,
/// SyscallLayerTests, keeps it that way). The callers wrap these with errno handling and types; here they are
/// raw, named as in C, with <c>SetLastError</c> so <see cref="Marshal.GetLastPInvokeError"/> reads errno.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Name = "libc";

    // Syscalls libc has no wrapper for (bpf, perf_event_open) go through syscall(); the numbers are per architecture.
    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    public static partial nint Syscall(nint number, nint a1, nint a2, nint a3, nint a4, nint a5);

    // Descriptors and memory.
    [LibraryImport(Name, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Name, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Name, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport(Name, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buffer, nuint count);

    [LibraryImport(Name, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, nint arg);

    [LibraryImport(Name, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Name, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);

    // Waiting for event readers.
    [LibraryImport(Name, EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);

    [LibraryImport(Name, EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollCtl(int epfd, int op, int fd, byte* ev);

    [LibraryImport(Name, EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epfd, byte* events, int maxEvents, int timeout);

    [LibraryImport(Name, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initval, int flags);

    // Sockets: netlink, and SO_ATTACH_BPF for socket filters.
    [LibraryImport(Name, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Name, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, ref int value, int len);

    [LibraryImport(Name, EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, byte[] buf, nint len, int flags);

    [LibraryImport(Name, EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(int fd, byte[] buf, nint len, int flags);

    [LibraryImport(Name, EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial uint IfNameToIndex(string name);

    [LibraryImport(Name, EntryPoint = "if_indextoname", SetLastError = true)]
    public static partial nint IfIndexToName(uint ifindex, byte* name);

    // File systems.
    [LibraryImport(Name, EntryPoint = "statfs", SetLastError = true)]
    public static partial int StatFs(byte* path, byte* buffer);

    [LibraryImport(Name, EntryPoint = "mount", SetLastError = true)]
    public static partial int Mount(byte* source, byte* target, byte* fsType, ulong flags, void* data);

    // The process and the kernel.
    [LibraryImport(Name, EntryPoint = "getuid")]
    public static partial uint GetUid();

    [LibraryImport(Name, EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport(Name, EntryPoint = "setrlimit", SetLastError = true)]
    public static partial int SetRLimit(int resource, void* limit);

    [LibraryImport(Name, EntryPoint = "uname")]
    public static partial int Uname(byte* buf);

    /// <summary>Moves the calling thread (only it) into the namespace that <paramref name="fd"/> refers to.</summary>
    [LibraryImport(Name, EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nsType);
}
