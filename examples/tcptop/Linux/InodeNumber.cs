using System.Runtime.InteropServices;

namespace Ebpf.Examples.Tcptop.Linux;

/// <summary>
/// A file's inode number through statx(2), whose layout is the same on every architecture. A cgroup v2 directory's
/// inode number is its cgroup id, the value bpf_get_current_cgroup_id() returns.
/// </summary>
internal static partial class InodeNumber
{
    private const int AtFdCwd = -100;
    private const uint StatxIno = 0x100;
    private const int InoOffset = 32; // struct statx: mask, blksize, attributes, nlink, uid, gid, mode, spare, ino

    public static ulong? Of(string path)
    {
        Span<byte> buffer = stackalloc byte[256];
        unsafe
        {
            fixed (byte* b = buffer)
            {
                if (statx(AtFdCwd, path, 0, StatxIno, b) != 0)
                    return null;
            }
        }
        return BitConverter.ToUInt64(buffer[InoOffset..]);
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
