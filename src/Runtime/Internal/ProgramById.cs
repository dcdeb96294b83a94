using System.Runtime.InteropServices;

namespace Ebpf.Internal;

/// <summary>BPF_PROG_GET_FD_BY_ID: a descriptor for a loaded program known only by its id (needs CAP_SYS_ADMIN).</summary>
internal static class ProgramById
{
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    private struct IdAttr
    {
        [FieldOffset(0)] public uint Id;
        [FieldOffset(4)] public uint NextId;
        [FieldOffset(8)] public uint OpenFlags;
    }

    /// <summary>The program's descriptor, or null with the errno (ENOENT: no such program any more).</summary>
    public static BpfFd? Open(uint id, out int errno)
    {
        var attr = new IdAttr { Id = id };
        var fd = BpfSyscall.Call(BpfCommand.ProgGetFdById, ref attr, out errno);
        return fd < 0 ? null : new BpfFd(fd);
    }
}
