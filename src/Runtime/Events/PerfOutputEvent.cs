using System.Runtime.InteropServices;
using Ebpf.Internal;

namespace Ebpf.Events;

/// <summary>
/// Opens the per-CPU perf event a BPF_MAP_TYPE_PERF_EVENT_ARRAY slot points at: a software event of type
/// PERF_COUNT_SW_BPF_OUTPUT that records raw samples (what bpf_perf_event_output writes) and wakes the reader
/// after every sample. The members of <c>struct perf_event_attr</c> it needs, up to PERF_ATTR_SIZE_VER5.
/// </summary>
internal static unsafe partial class PerfOutputEvent
{
    private const uint PerfTypeSoftware = 1;
    private const ulong PerfCountSwBpfOutput = 10;
    private const ulong PerfSampleRaw = 1 << 10;
    private const uint PerfFlagFdCloexec = 1 << 3;

    [StructLayout(LayoutKind.Explicit, Size = 112)]
    private struct Attr
    {
        [FieldOffset(0)] public uint Type;
        [FieldOffset(4)] public uint Size;
        [FieldOffset(8)] public ulong Config;
        [FieldOffset(16)] public ulong SamplePeriod;
        [FieldOffset(24)] public ulong SampleType;
        [FieldOffset(40)] public ulong Flags;       // bit 0 "disabled": open disabled, enable once mapped
        [FieldOffset(48)] public uint WakeupEvents;
    }

    private static readonly nint number = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 298,
        Architecture.Arm64 => 241,
        var other => throw new PlatformNotSupportedException($"perf_event_open syscall number unknown for {other}"),
    };

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial nint Syscall(nint number, void* attr, nint pid, nint cpu, nint groupFd, nint flags);

    /// <summary>Opens the event on <paramref name="cpu"/> for every process; null with errno on failure.</summary>
    public static BpfFd? Open(int cpu, out int errno)
    {
        var attr = new Attr
        {
            Type = PerfTypeSoftware,
            Size = (uint)sizeof(Attr),
            Config = PerfCountSwBpfOutput,
            SamplePeriod = 1,
            SampleType = PerfSampleRaw,
            Flags = 1,
            WakeupEvents = 1,
        };
        var fd = Syscall(number, &attr, -1, cpu, -1, (nint)PerfFlagFdCloexec);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd < 0 ? null : new BpfFd((int)fd);
    }
}
