using System.Runtime.InteropServices;

namespace Ebpf.Internal;

/// <summary>
/// bpf_attr for the batch commands (BPF_MAP_LOOKUP_BATCH, LOOKUP_AND_DELETE_BATCH, UPDATE_BATCH, DELETE_BATCH):
/// the <c>batch</c> member of <c>union bpf_attr</c>. The kernel writes <see cref="Count"/> back (entries done)
/// and, for the lookups, the opaque resume token at <see cref="OutBatch"/>.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 56)]
internal struct MapBatchAttr
{
    [FieldOffset(0)] public ulong InBatch;
    [FieldOffset(8)] public ulong OutBatch;
    [FieldOffset(16)] public ulong Keys;
    [FieldOffset(24)] public ulong Values;
    [FieldOffset(32)] public uint Count;
    [FieldOffset(36)] public int MapFd;
    [FieldOffset(40)] public ulong ElemFlags;
    [FieldOffset(48)] public ulong Flags;
}
