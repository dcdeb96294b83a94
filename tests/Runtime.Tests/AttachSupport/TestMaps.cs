using Ebpf.Internal;

namespace Ebpf.Runtime.Tests.AttachSupport;

/// <summary>Creates the one map the attach tests need (a SOCKHASH) and puts sockets in it, through the runtime's typed bpf(2) wrappers.</summary>
internal static unsafe class TestMaps
{
    public static BpfFd CreateSockHash(uint maxEntries = 16)
    {
        var attr = new MapCreateAttr { MapType = 18 /* BPF_MAP_TYPE_SOCKHASH */, KeySize = 4, ValueSize = 4, MaxEntries = maxEntries };
        return Sys.MapCreate(ref attr, out var errno) ?? throw new InvalidOperationException($"BPF_MAP_CREATE sockhash: errno {errno}");
    }

    public static void PutSocket(BpfFd map, uint key, int socketFd)
    {
        var value = (uint)socketFd;
        if (MapSyscalls.Update(map, &key, &value, 0) is var errno and not 0)
            throw new InvalidOperationException($"BPF_MAP_UPDATE_ELEM sockhash: errno {errno}");
    }
}
