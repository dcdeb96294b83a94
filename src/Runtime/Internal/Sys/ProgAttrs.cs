using System.Runtime.InteropServices;

namespace Ebpf.Internal;

/// <summary>bpf_attr for BPF_PROG_BIND_MAP: keep a map alive as long as the program (Linux 5.10+).</summary>
[StructLayout(LayoutKind.Explicit, Size = 12)]
internal struct ProgBindMapAttr
{
    [FieldOffset(0)] public int ProgFd;
    [FieldOffset(4)] public int MapFd;
    [FieldOffset(8)] public uint Flags;
}

/// <summary>bpf_attr for BPF_ENABLE_STATS: which statistics (BPF_STATS_RUN_TIME = 0) to enable while the returned fd is open.</summary>
[StructLayout(LayoutKind.Explicit, Size = 4)]
internal struct EnableStatsAttr
{
    public const uint RunTime = 0;

    [FieldOffset(0)] public uint Type;
}
