using System.Runtime.InteropServices;

namespace Ebpf.Internal;

/// <summary>bpf_attr for BPF_PROG_LOAD, up to log_true_size (Linux 6.4; older kernels ignore the zero tail).</summary>
[StructLayout(LayoutKind.Explicit, Size = 144)]
internal unsafe struct ProgLoadAttr
{
    [FieldOffset(0)] public uint ProgType;
    [FieldOffset(4)] public uint InsnCnt;
    [FieldOffset(8)] public ulong Insns;
    [FieldOffset(16)] public ulong License;
    [FieldOffset(24)] public uint LogLevel;
    [FieldOffset(28)] public uint LogSize;
    [FieldOffset(32)] public ulong LogBuf;
    [FieldOffset(40)] public uint KernVersion;
    [FieldOffset(44)] public uint ProgFlags;
    [FieldOffset(48)] public fixed byte ProgName[16];
    [FieldOffset(64)] public uint ProgIfindex;
    [FieldOffset(68)] public uint ExpectedAttachType;
    [FieldOffset(72)] public int ProgBtfFd;
    [FieldOffset(76)] public uint FuncInfoRecSize;
    [FieldOffset(80)] public ulong FuncInfo;
    [FieldOffset(88)] public uint FuncInfoCnt;
    [FieldOffset(92)] public uint LineInfoRecSize;
    [FieldOffset(96)] public ulong LineInfo;
    [FieldOffset(104)] public uint LineInfoCnt;
    [FieldOffset(108)] public uint AttachBtfId;
    [FieldOffset(112)] public int AttachBtfObjFd;
    [FieldOffset(116)] public uint CoreReloCnt;
    [FieldOffset(120)] public ulong FdArray;
    [FieldOffset(128)] public ulong CoreRelos;
    [FieldOffset(136)] public uint CoreReloRecSize;
    /// <summary>Set by the kernel (6.4+): the log size the whole verifier log needs.</summary>
    [FieldOffset(140)] public uint LogTrueSize;

    public const uint FlagSleepable = 1u << 4;       // BPF_F_SLEEPABLE
    public const uint FlagXdpHasFrags = 1u << 5;     // BPF_F_XDP_HAS_FRAGS
}

/// <summary>bpf_attr for BPF_BTF_LOAD.</summary>
[StructLayout(LayoutKind.Explicit, Size = 40)]
internal struct BtfLoadAttr
{
    [FieldOffset(0)] public ulong Btf;
    [FieldOffset(8)] public ulong BtfLogBuf;
    [FieldOffset(16)] public uint BtfSize;
    [FieldOffset(20)] public uint BtfLogSize;
    [FieldOffset(24)] public uint BtfLogLevel;
    [FieldOffset(28)] public uint BtfLogTrueSize;
}
