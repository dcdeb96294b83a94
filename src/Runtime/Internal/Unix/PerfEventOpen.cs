using System.Runtime.InteropServices;

namespace Ebpf.Internal;

/// <summary>The first 112 bytes of <c>struct perf_event_attr</c> (PERF_ATTR_SIZE_VER5), the members probes and perf buffers need.</summary>
[StructLayout(LayoutKind.Explicit, Size = 112)]
internal struct PerfEventAttr
{
    [FieldOffset(0)] public uint Type;
    [FieldOffset(4)] public uint Size;
    [FieldOffset(8)] public ulong Config;
    /// <summary>sample_period, or sample_freq when <see cref="FlagFreq"/> is set (a union in the kernel).</summary>
    [FieldOffset(16)] public ulong SamplePeriod;
    [FieldOffset(24)] public ulong SampleType;
    /// <summary>The bit-field word after read_format: disabled, inherit, ..., freq (bit 10).</summary>
    [FieldOffset(40)] public ulong Flags;
    /// <summary>wakeup_events: wake a reader after this many samples.</summary>
    [FieldOffset(48)] public uint WakeupEvents;
    /// <summary>config1: kprobe_func / uprobe_path (a pointer to a NUL-terminated string).</summary>
    [FieldOffset(56)] public ulong Config1;
    /// <summary>config2: kprobe_addr / probe_offset.</summary>
    [FieldOffset(64)] public ulong Config2;

    /// <summary>perf_event_attr.freq: <see cref="SamplePeriod"/> is a frequency in Hz.</summary>
    public const ulong FlagFreq = 1UL << 10;

    /// <summary>perf_event_attr.disabled: open the event disabled (enable it with PERF_EVENT_IOC_ENABLE).</summary>
    public const ulong FlagDisabled = 1;
}

/// <summary>perf_event_open(2) and the two ioctls a BPF perf link needs. Tracepoints, kprobes and uprobes are perf events.</summary>
internal static unsafe partial class PerfEventOpen
{
    public const uint PerfTypeHardware = 0;
    public const uint PerfTypeSoftware = 1;
    public const uint PerfTypeTracepoint = 2;
    private const nuint PERF_EVENT_IOC_ENABLE = 0x2400;
    private const uint PERF_FLAG_FD_CLOEXEC = 1 << 3;

    private static readonly nint number = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 298,
        Architecture.Arm64 => 241,
        var other => throw new PlatformNotSupportedException($"perf_event_open syscall number unknown for {other}"),
    };

    /// <summary>Opens a perf event; <paramref name="pid"/> -1 with <paramref name="cpu"/> 0 means every process (the BPF program runs on all CPUs).</summary>
    public static BpfFd? Open(ref PerfEventAttr attr, int pid, int cpu, out int errno)
    {
        attr.Size = (uint)sizeof(PerfEventAttr);
        fixed (PerfEventAttr* p = &attr)
        {
            var fd = Libc.Syscall(number, (nint)p, pid, cpu, -1, (nint)PERF_FLAG_FD_CLOEXEC);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
            return fd < 0 ? null : new BpfFd((int)fd);
        }
    }

    /// <summary>PERF_EVENT_IOC_ENABLE (events open enabled, but libbpf and the kernel docs enable explicitly after attaching).</summary>
    public static bool Enable(BpfFd perf, out int errno)
    {
        var r = Libc.Ioctl(perf.Value, PERF_EVENT_IOC_ENABLE, 0);
        errno = r < 0 ? Marshal.GetLastPInvokeError() : 0;
        GC.KeepAlive(perf);
        return r == 0;
    }

    /// <summary>
    /// The dynamic PMU type of "kprobe" or "uprobe" from /sys/bus/event_source/devices/&lt;pmu&gt;/type,
    /// or null when the kernel has no such PMU (e.g. CONFIG_KPROBES off).
    /// </summary>
    public static uint? PmuType(string pmu)
    {
        var path = $"/sys/bus/event_source/devices/{pmu}/type";
        return File.Exists(path) && uint.TryParse(File.ReadAllText(path).Trim(), out var t) ? t : null;
    }

    /// <summary>The config bit that makes a kprobe/uprobe a return probe ("config:0" in format/retprobe).</summary>
    public static int RetprobeBit(string pmu)
    {
        var path = $"/sys/bus/event_source/devices/{pmu}/format/retprobe";
        if (!File.Exists(path))
            return 0;
        var text = File.ReadAllText(path).Trim();
        var colon = text.IndexOf(':');
        return colon >= 0 && int.TryParse(text[(colon + 1)..], out var bit) ? bit : 0;
    }
}
