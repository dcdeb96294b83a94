using System.Runtime.InteropServices;

namespace Ebpf.Internal;

/// <summary>BPF_PROG_QUERY (the <c>query</c> member of union bpf_attr): the programs attached to a target.</summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct ProgQueryAttr
{
    public const uint QueryEffective = 1; // BPF_F_QUERY_EFFECTIVE: also the programs inherited from ancestor cgroups

    [FieldOffset(0)] public int Target;            // target_fd (a cgroup) or target_ifindex (tcx)
    [FieldOffset(4)] public uint AttachType;
    [FieldOffset(8)] public uint QueryFlags;
    [FieldOffset(12)] public uint AttachFlags;     // out: BPF_F_ALLOW_OVERRIDE / BPF_F_ALLOW_MULTI of the target
    [FieldOffset(16)] public ulong ProgIds;        // u32[ProgCount]
    [FieldOffset(24)] public uint ProgCount;       // in: room in ProgIds; out: how many are attached
    [FieldOffset(32)] public ulong ProgAttachFlags;
    [FieldOffset(40)] public ulong LinkIds;
    [FieldOffset(48)] public ulong LinkAttachFlags;
    [FieldOffset(56)] public ulong Revision;
}
