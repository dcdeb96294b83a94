namespace Ebpf.Programs;

/// <summary>The kernel's software perf events (enum perf_sw_ids): counted by the kernel itself, available on every machine.</summary>
public enum PerfSoftwareEvent : ulong
{
    CpuClock = 0,
    TaskClock = 1,
    PageFaults = 2,
    ContextSwitches = 3,
    CpuMigrations = 4,
    PageFaultsMin = 5,
    PageFaultsMaj = 6,
    AlignmentFaults = 7,
    EmulationFaults = 8,
}
