using System.Runtime.InteropServices;

namespace Ebpf.Internal;

/// <summary>bpf_attr for BPF_MAP_CREATE (the anonymous struct that starts with map_type).</summary>
[StructLayout(LayoutKind.Explicit, Size = 80)]
internal unsafe struct MapCreateAttr
{
    [FieldOffset(0)] public uint MapType;
    [FieldOffset(4)] public uint KeySize;
    [FieldOffset(8)] public uint ValueSize;
    [FieldOffset(12)] public uint MaxEntries;
    [FieldOffset(16)] public uint MapFlags;
    [FieldOffset(20)] public int InnerMapFd;
    [FieldOffset(24)] public uint NumaNode;
    [FieldOffset(28)] public fixed byte MapName[16];
    [FieldOffset(44)] public uint MapIfindex;
    [FieldOffset(48)] public int BtfFd;
    [FieldOffset(52)] public uint BtfKeyTypeId;
    [FieldOffset(56)] public uint BtfValueTypeId;
    [FieldOffset(60)] public uint BtfVmlinuxValueTypeId;
    [FieldOffset(64)] public ulong MapExtra;
}

/// <summary>bpf_attr for the element commands (lookup, update, delete, get_next_key, lookup_and_delete).</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct MapElemAttr
{
    [FieldOffset(0)] public int MapFd;
    [FieldOffset(8)] public ulong Key;
    /// <summary>The value pointer, or next_key for BPF_MAP_GET_NEXT_KEY (same offset).</summary>
    [FieldOffset(16)] public ulong Value;
    [FieldOffset(24)] public ulong Flags;
}

/// <summary>bpf_attr for BPF_MAP_FREEZE and other commands that take only a map fd.</summary>
[StructLayout(LayoutKind.Explicit, Size = 8)]
internal struct MapFdAttr
{
    [FieldOffset(0)] public int MapFd;
}

/// <summary>struct bpf_map_info (the part this runtime reads).</summary>
[StructLayout(LayoutKind.Explicit, Size = 88)]
internal unsafe struct MapInfo
{
    [FieldOffset(0)] public uint Type;
    [FieldOffset(4)] public uint Id;
    [FieldOffset(8)] public uint KeySize;
    [FieldOffset(12)] public uint ValueSize;
    [FieldOffset(16)] public uint MaxEntries;
    [FieldOffset(20)] public uint MapFlags;
    [FieldOffset(24)] public fixed byte Name[16];
    [FieldOffset(64)] public uint BtfId;
    [FieldOffset(68)] public uint BtfKeyTypeId;
    [FieldOffset(72)] public uint BtfValueTypeId;
    [FieldOffset(80)] public ulong MapExtra;
}
