using System.Runtime.InteropServices;

namespace Ebpf.Internal;

/// <summary>
/// BPF_PROG_ATTACH / BPF_PROG_DETACH, the pre-link way of attaching. Used only where no bpf_link exists
/// (sockmap programs on kernels before 6.10); such attachments outlive the process unless their target goes away.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct ProgAttachAttr
{
    [FieldOffset(0)] public int TargetFd;
    [FieldOffset(4)] public int AttachBpfFd;
    [FieldOffset(8)] public uint AttachType;
    [FieldOffset(12)] public uint AttachFlags;
    [FieldOffset(16)] public int ReplaceBpfFd;
}

internal static class ProgAttachSyscalls
{
    public static bool Attach(int targetFd, BpfFd prog, uint attachType, out int errno)
    {
        var attr = new ProgAttachAttr { TargetFd = targetFd, AttachBpfFd = prog.Value, AttachType = attachType };
        var r = BpfSyscall.Call(BpfCommand.ProgAttach, ref attr, out errno);
        GC.KeepAlive(prog);
        return r == 0;
    }

    public static bool Detach(int targetFd, BpfFd prog, uint attachType, out int errno)
    {
        var attr = new ProgAttachAttr { TargetFd = targetFd, AttachBpfFd = prog.Value, AttachType = attachType };
        var r = BpfSyscall.Call(BpfCommand.ProgDetach, ref attr, out errno);
        GC.KeepAlive(prog);
        return r == 0;
    }
}
