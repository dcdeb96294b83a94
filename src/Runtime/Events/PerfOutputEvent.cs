using Ebpf.Internal;

namespace Ebpf.Events;

/// <summary>
/// Opens the per-CPU perf event a BPF_MAP_TYPE_PERF_EVENT_ARRAY slot points at: a software event of type
/// PERF_COUNT_SW_BPF_OUTPUT that records raw samples (what bpf_perf_event_output writes) and wakes the reader
/// after every sample. It opens disabled and is enabled once its ring is mapped.
/// </summary>
internal static class PerfOutputEvent
{
    private const ulong PerfCountSwBpfOutput = 10;
    private const ulong PerfSampleRaw = 1 << 10;

    /// <summary>Opens the event on <paramref name="cpu"/> for every process; null with errno on failure.</summary>
    public static BpfFd? Open(int cpu, out int errno)
    {
        var attr = new PerfEventAttr
        {
            Type = PerfEventOpen.PerfTypeSoftware,
            Config = PerfCountSwBpfOutput,
            SamplePeriod = 1,
            SampleType = PerfSampleRaw,
            Flags = PerfEventAttr.FlagDisabled,
            WakeupEvents = 1,
        };
        return PerfEventOpen.Open(ref attr, pid: -1, cpu, out errno);
    }
}
