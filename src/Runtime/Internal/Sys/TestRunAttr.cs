using System.Runtime.InteropServices;

namespace Ebpf.Internal;

/// <summary>The BPF_PROG_TEST_RUN member of <c>union bpf_attr</c> (the kernel's <c>test</c> struct).</summary>
[StructLayout(LayoutKind.Explicit, Size = 80)]
internal struct TestRunAttr
{
    [FieldOffset(0)] public int ProgFd;
    [FieldOffset(4)] public uint Retval;
    [FieldOffset(8)] public uint DataSizeIn;
    [FieldOffset(12)] public uint DataSizeOut;
    [FieldOffset(16)] public ulong DataIn;
    [FieldOffset(24)] public ulong DataOut;
    [FieldOffset(32)] public uint Repeat;
    [FieldOffset(36)] public uint Duration;
    [FieldOffset(40)] public uint CtxSizeIn;
    [FieldOffset(44)] public uint CtxSizeOut;
    [FieldOffset(48)] public ulong CtxIn;
    [FieldOffset(56)] public ulong CtxOut;
    [FieldOffset(64)] public uint Flags;
    [FieldOffset(68)] public uint Cpu;
    [FieldOffset(72)] public uint BatchSize;
}
