using Ebpf.Internal;

namespace Ebpf;

/// <summary>The members of the kernel's <c>struct bpf_prog_info</c> the runtime reads.</summary>
internal readonly record struct ProgramInfo(uint Type, uint Id, ulong RunTimeNs, ulong RunCount)
{
    // Offsets in struct bpf_prog_info (stable uapi): type 0, id 4, run_time_ns 192, run_cnt 200.
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
        return new ProgramInfo(*(uint*)buf, *(uint*)(buf + 4), *(ulong*)(buf + 192), *(ulong*)(buf + 200));
    }
}
