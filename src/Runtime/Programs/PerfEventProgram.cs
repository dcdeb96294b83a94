using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;

namespace Ebpf.Programs;

/// <summary>
/// A PERF_EVENT program (section perf_event): runs each time a sampling perf event overflows, e.g. at a fixed
/// frequency on every CPU for a profiler.
/// </summary>
public sealed class PerfEventProgram : BpfProgram
{
    internal PerfEventProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }

    /// <summary>
    /// Samples software event <paramref name="event"/> every <paramref name="samplePeriodOrFrequency"/> events, or
    /// that many times a second when <paramref name="frequency"/> is true, on CPU <paramref name="cpu"/> (-1: one
    /// event on each online CPU) for process <paramref name="pid"/> (-1: every process). The returned link holds
    /// every per-CPU event; disposing it detaches them all.
    /// </summary>
    public BpfLink AttachSoftwareEvent(PerfSoftwareEvent @event, ulong samplePeriodOrFrequency, bool frequency = false, int cpu = -1, int pid = -1) =>
        PerfEventSampling.Attach(this, PerfEventOpen.PerfTypeSoftware, (ulong)@event, $"software event {@event}",
                                 samplePeriodOrFrequency, frequency, cpu, pid);

    /// <summary>
    /// As <see cref="AttachSoftwareEvent"/> for a hardware counter. Fails with an explanation when the machine has
    /// no hardware PMU (common on virtual machines): use <see cref="PerfSoftwareEvent.CpuClock"/> there.
    /// </summary>
    public BpfLink AttachHardwareEvent(PerfHardwareEvent @event, ulong samplePeriodOrFrequency, bool frequency = false, int cpu = -1, int pid = -1) =>
        PerfEventSampling.Attach(this, PerfEventOpen.PerfTypeHardware, (ulong)@event, $"hardware event {@event}",
                                 samplePeriodOrFrequency, frequency, cpu, pid);
}
