using Ebpf.Object;

namespace Ebpf.Maps;

/// <summary>
/// A BPF_MAP_TYPE_RINGBUF. <see cref="BpfMapView.MaxEntries"/> is the buffer size in bytes (rounded up to a
/// page-aligned power of two when the map is created).
/// </summary>
public sealed partial class RingBufMap : BpfMapView
{
    public RingBufMap(BpfMap map) : base(map, [MapType.RingBuf]) { }
}

/// <summary>
/// A BPF_MAP_TYPE_PERF_EVENT_ARRAY: one perf buffer per CPU. MaxEntries 0 means one slot per possible CPU.
/// </summary>
public sealed partial class PerfEventArrayMap : BpfMapView
{
    public PerfEventArrayMap(BpfMap map) : base(map, [MapType.PerfEventArray]) { }
}
