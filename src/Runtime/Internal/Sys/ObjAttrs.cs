using System.Runtime.InteropServices;

namespace Ebpf.Internal;

/// <summary>bpf_attr for BPF_OBJ_PIN / BPF_OBJ_GET: a path in a BPF file system and, for a pin, the object's fd.</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct ObjPinAttr
{
    [FieldOffset(0)] public ulong PathName;
    [FieldOffset(8)] public int BpfFd;
    [FieldOffset(12)] public uint FileFlags;
}

/// <summary>bpf_attr for BPF_OBJ_GET_INFO_BY_FD: the object's fd and a buffer for its bpf_{map,prog,link,btf}_info.</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct ObjInfoAttr
{
    [FieldOffset(0)] public int BpfFd;
    [FieldOffset(4)] public uint InfoLen;
    [FieldOffset(8)] public ulong Info;
}

/// <summary>
/// The shape the id commands share: BPF_{PROG,MAP,LINK,BTF}_GET_FD_BY_ID (id), BPF_*_GET_NEXT_ID (start id in,
/// next id out) and BPF_LINK_DETACH (link fd in the first word).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct IdAttr
{
    /// <summary>link_fd (detach), *_id (get fd by id), start_id (get next id).</summary>
    [FieldOffset(0)] public uint Id;
    /// <summary>next_id, written by the get-next-id commands.</summary>
    [FieldOffset(4)] public uint NextId;
    [FieldOffset(8)] public uint OpenFlags;
}
