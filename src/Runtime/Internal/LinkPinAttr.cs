using System.Runtime.InteropServices;

namespace Ebpf.Internal;

/// <summary>BPF_OBJ_PIN for a link: pathname in a BPF file system and the link's fd.</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
internal struct LinkPinAttr
{
    [FieldOffset(0)] public ulong PathName;
    [FieldOffset(8)] public int BpfFd;
    [FieldOffset(12)] public uint FileFlags;
}
