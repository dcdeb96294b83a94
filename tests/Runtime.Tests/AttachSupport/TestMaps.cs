using System.Runtime.InteropServices;
using Ebpf.Internal;

namespace Ebpf.Runtime.Tests.AttachSupport;

/// <summary>Creates the one map the attach tests need (a SOCKHASH) and puts sockets in it, with raw bpf(2) calls.</summary>
internal static unsafe class TestMaps
{
    [StructLayout(LayoutKind.Explicit, Size = 72)]
    private struct MapCreateAttr
    {
        [FieldOffset(0)] public uint MapType;
        [FieldOffset(4)] public uint KeySize;
        [FieldOffset(8)] public uint ValueSize;
        [FieldOffset(12)] public uint MaxEntries;
    }

    [StructLayout(LayoutKind.Explicit, Size = 32)]
    private struct MapElemAttr
    {
        [FieldOffset(0)] public int MapFd;
        [FieldOffset(8)] public ulong Key;
        [FieldOffset(16)] public ulong Value;
        [FieldOffset(24)] public ulong Flags;
    }

    public static BpfFd CreateSockHash(uint maxEntries = 16)
    {
        var attr = new MapCreateAttr { MapType = 18 /* BPF_MAP_TYPE_SOCKHASH */, KeySize = 4, ValueSize = 4, MaxEntries = maxEntries };
        var fd = BpfSyscall.Call(BpfCommand.MapCreate, ref attr, out var errno);
        return fd >= 0 ? new BpfFd(fd) : throw new InvalidOperationException($"BPF_MAP_CREATE sockhash: errno {errno}");
    }

    public static void PutSocket(BpfFd map, uint key, int socketFd)
    {
        var value = (uint)socketFd;
        var attr = new MapElemAttr { MapFd = map.Value, Key = (ulong)&key, Value = (ulong)&value };
        if (BpfSyscall.Call(BpfCommand.MapUpdateElem, ref attr, out var errno) != 0)
            throw new InvalidOperationException($"BPF_MAP_UPDATE_ELEM sockhash: errno {errno}");
    }
}
