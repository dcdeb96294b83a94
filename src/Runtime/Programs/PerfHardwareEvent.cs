namespace Ebpf.Programs;

/// <summary>The generic hardware perf events (enum perf_hw_id): counted by the CPU's PMU, absent on many virtual machines.</summary>
public enum PerfHardwareEvent : ulong
{
    CpuCycles = 0,
    Instructions = 1,
    CacheReferences = 2,
    CacheMisses = 3,
    BranchInstructions = 4,
    BranchMisses = 5,
    BusCycles = 6,
    StalledCyclesFrontend = 7,
    StalledCyclesBackend = 8,
    RefCpuCycles = 9,
}
