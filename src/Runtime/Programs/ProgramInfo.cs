using Ebpf.Internal;

namespace Ebpf.Programs;

/// <summary>The members of the kernel's <c>struct bpf_prog_info</c> the runtime reads.</summary>
/// <paramref name="Name"/>: the kernel's name of the program (at most 15 bytes of the object's), "" when it has none.
internal readonly record struct ProgramInfo(uint Type, uint Id, string Name, ulong RunTimeNs, ulong RunCount)
{
    // Offsets in struct bpf_prog_info (stable uapi): type 0, id 4, name[16] 64, run_time_ns 192, run_cnt 200.
    private const int InfoSize = 232;

    /// <summary>Reads the info; a failure is a <see cref="BpfException"/> of BPF_OBJ_GET_INFO_BY_FD (not an attach error:
    /// this runs for Id and RunStatistics too).</summary>
    public static ProgramInfo Read(BpfFd prog) => TryRead(prog, out var info, out var errno) ? info
        : throw new BpfException($"cannot read the program's info (BPF_OBJ_GET_INFO_BY_FD): {Errno.Describe(errno)}"
                                 + (errno is Errno.EPERM or Errno.EACCES ? "; reading program info needs CAP_SYS_ADMIN (run as root)" : ""),
                                 errno, "BPF_OBJ_GET_INFO_BY_FD", null);

    public static unsafe bool TryRead(BpfFd prog, out ProgramInfo info, out int errno)
    {
        var buf = stackalloc byte[InfoSize];
        new Span<byte>(buf, InfoSize).Clear();
        errno = Sys.ObjGetInfoByFd(prog, buf, InfoSize);
        if (errno != 0)
        {
            info = default;
            return false;
        }
        var name = System.Text.Encoding.UTF8.GetString(new ReadOnlySpan<byte>(buf + 64, 16)).TrimEnd('\0');
        info = new ProgramInfo(*(uint*)buf, *(uint*)(buf + 4), name, *(ulong*)(buf + 192), *(ulong*)(buf + 200));
        return true;
    }
}
