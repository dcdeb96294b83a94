using System.Runtime.InteropServices;
using Ebpf.Internal;

namespace Ebpf;

/// <summary>
/// The BPF file system (bpffs), where maps, programs and links are pinned to outlive the process that made them.
/// Fresh machines often do not mount it; <see cref="EnsureMounted"/> does, as libbpf-based tools expect.
/// </summary>
public static class BpfFileSystem
{
    /// <summary>Where bpffs is mounted by convention.</summary>
    public const string DefaultPath = "/sys/fs/bpf";

    private const ulong BpfFsMagic = 0xcafe4a11;

    /// <summary>True when <paramref name="path"/> is inside a mounted bpffs.</summary>
    public static unsafe bool IsBpfFs(string path)
    {
        var buffer = stackalloc byte[120]; // struct statfs on 64-bit Linux; f_type is its first member
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
            return Libc.StatFs(p, buffer) == 0 && *(ulong*)buffer == BpfFsMagic;
    }

    /// <summary>
    /// Mounts bpffs at <paramref name="path"/> (created if missing) unless it is mounted there already. Returns true
    /// when this call mounted it. Needs CAP_SYS_ADMIN.
    /// </summary>
    public static unsafe bool EnsureMounted(string path = DefaultPath)
    {
        if (IsBpfFs(path))
            return false;
        Directory.CreateDirectory(path);
        var target = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        var fs = "bpf\0"u8.ToArray();
        fixed (byte* t = target, f = fs)
        {
            if (Libc.Mount(f, t, f, 0, null) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException($"mounting the BPF file system at {path} failed: {Errno.Describe(errno)}"
                    + (errno == Errno.EPERM ? "; mounting needs root (CAP_SYS_ADMIN); or run: mount -t bpf bpf " + path : ""));
            }
        }
        return true;
    }

    /// <summary>Deletes the pin at <paramref name="path"/> (of a map, program or link); the object goes away when nothing
    /// else holds it. Refuses a path outside a BPF file system, so an ordinary file is never deleted.</summary>
    public static void Unpin(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"nothing is pinned at {path}", path);
        if (!IsBpfFs(path))
            throw new IOException($"{path} is not in a BPF file system; refusing to delete an ordinary file");
        File.Delete(path);
    }
}
