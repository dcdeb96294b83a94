using Ebpf.Errors;
using Ebpf.Internal;
using Ebpf.Object;

namespace Ebpf.Maps;

/// <summary>
/// BPF_MAP_CREATE from a <see cref="MapSpec"/>, with libbpf's adjustments: default sizes for fd maps, ring buffer
/// sizes rounded to a page-aligned power of two, perf event arrays sized to the possible CPUs, and the object's
/// BTF attached so <c>bpftool map dump</c> prints typed entries, retried without BTF when the kernel refuses it.
/// </summary>
internal static unsafe class MapCreator
{
    /// <summary>Applies libbpf's defaults to <paramref name="spec"/> in place (what the kernel map will have).</summary>
    public static void Adjust(MapSpec spec)
    {
        switch (spec.Type)
        {
            case MapType.RingBuf or MapType.UserRingBuf:
                spec.MaxEntries = RingBufSize(spec.MaxEntries);
                break;
            case MapType.PerfEventArray:
                if (spec.MaxEntries == 0)
                    spec.MaxEntries = (uint)CpuList.PossibleCount;
                break;
        }
        if (HoldsDescriptors(spec.Type))
        {
            // An fd map's key is an index or the user's key; its value is a 4-byte descriptor.
            if (spec.KeySize == 0 && spec.Type != MapType.SockHash && spec.Type != MapType.HashOfMaps)
                spec.KeySize = 4;
            if (spec.ValueSize == 0)
                spec.ValueSize = 4;
        }
    }

    /// <summary>Ring buffer sizes must be a power of two and a multiple of the page size: round up like libbpf.</summary>
    public static uint RingBufSize(uint requested)
    {
        var page = (ulong)MemoryMapping.PageSize;
        ulong size = page;
        while (size < requested && size < (1UL << 31))
            size <<= 1;
        return (uint)size;
    }

    /// <summary>Map types whose values are descriptors of programs, maps, sockets or perf events.</summary>
    public static bool HoldsDescriptors(MapType type) => type is MapType.ProgArray or MapType.PerfEventArray
        or MapType.CgroupArray or MapType.ArrayOfMaps or MapType.HashOfMaps or MapType.DevMap or MapType.DevMapHash
        or MapType.CpuMap or MapType.XskMap or MapType.SockMap or MapType.SockHash or MapType.ReuseportSockArray;

    // libbpf passes no BTF for these: the kernel checks no value type for them (or rejects one).
    private static bool TakesBtf(MapType type) => !(type is MapType.PerfEventArray or MapType.CgroupArray
        or MapType.StackTrace or MapType.ArrayOfMaps or MapType.HashOfMaps or MapType.DevMap or MapType.DevMapHash
        or MapType.CpuMap or MapType.XskMap or MapType.SockMap or MapType.SockHash or MapType.Queue or MapType.Stack
        or MapType.Arena);

    /// <summary>Creates the kernel map; throws <see cref="BpfException"/> with the reason on failure.</summary>
    public static BpfFd Create(MapSpec spec, BpfFd? btf, BpfFd? innerMapFd, string? kernelName = null)
    {
        Adjust(spec);
        var attr = new MapCreateAttr
        {
            MapType = (uint)spec.Type,
            KeySize = spec.KeySize,
            ValueSize = spec.ValueSize,
            MaxEntries = spec.MaxEntries,
            MapFlags = spec.Flags,
            InnerMapFd = innerMapFd?.Value ?? 0,
            NumaNode = spec.NumaNode,
            MapExtra = spec.MapExtra,
        };
        ObjName.Write(attr.MapName, kernelName ?? spec.Name);
        var withBtf = btf is not null && TakesBtf(spec.Type) && (spec.KeyTypeId != 0 || spec.ValueTypeId != 0);
        if (withBtf)
        {
            attr.BtfFd = btf!.Value;
            attr.BtfKeyTypeId = spec.KeyTypeId;
            attr.BtfValueTypeId = spec.ValueTypeId;
        }
        var fd = Sys.MapCreate(ref attr, out var errno);
        if (fd is null && withBtf && errno is not (1 or 13))
        {
            // Like libbpf: an older kernel may not accept this map's BTF (types it cannot check); the map works without.
            attr.BtfFd = 0;
            attr.BtfKeyTypeId = attr.BtfValueTypeId = 0;
            fd = Sys.MapCreate(ref attr, out errno);
        }
        GC.KeepAlive(btf);
        GC.KeepAlive(innerMapFd);
        return fd ?? throw BpfErrors.MapCreate(spec, errno);
    }
}
