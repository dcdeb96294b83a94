using Ebpf.Events;

namespace Ebpf.Maps;

// The typed map views (src/Runtime/Maps/EventMaps.cs) are partial so the readers can hang off them here.

public sealed partial class RingBufMap
{
    /// <summary>A reader of this ring buffer; dispose it before the map's object.</summary>
    public RingBufReader OpenReader() => new(Map);
}

public sealed partial class PerfEventArrayMap
{
    /// <summary>Opens a perf ring of <paramref name="pagesPerCpu"/> pages per online CPU and stores the events in this map.</summary>
    public PerfEventArrayReader OpenReader(int pagesPerCpu = 8) => new(Map, pagesPerCpu);
}
