using Ebpf.Internal;

namespace Ebpf;

/// <summary>The members of the kernel's <c>struct bpf_prog_info</c> the runtime reads.</summary>
/// <paramref name="Name"/>: the kernel's name of the program (at most 15 bytes of the object's), "" when it has none.
internal readonly record struct ProgramInfo(uint Type, uint Id, string Name, ulong RunTimeNs, ulong RunCount)
{
    // Offsets in struct bpf_prog_info (stable uapi): type 0, id 4, name[16] 64, run_time_ns 192, run_cnt 200.
    private const int InfoSize = 232;

    public static unsafe ProgramInfo Read(BpfFd prog)
    {
        var buf = stackalloc byte[InfoSize];
        new Span<byte>(buf, InfoSize).Clear();
        var attr = new LinkObjInfoAttr { Fd = prog.Value, InfoLen = InfoSize, Info = (ulong)buf };
        var r = BpfSyscall.Call(BpfCommand.ObjGetInfoByFd, ref attr, out var errno);
        GC.KeepAlive(prog);
        if (r != 0)
            throw new BpfAttachException($"cannot read the program's info (BPF_OBJ_GET_INFO_BY_FD): {Links.Errno.Describe(errno)}", errno);
        var name = System.Text.Encoding.UTF8.GetString(new ReadOnlySpan<byte>(buf + 64, 16)).TrimEnd('\0');
        return new ProgramInfo(*(uint*)buf, *(uint*)(buf + 4), name, *(ulong*)(buf + 192), *(ulong*)(buf + 200));
    }
}
