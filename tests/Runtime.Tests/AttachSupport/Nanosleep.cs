using System.Runtime.InteropServices;

namespace Ebpf.Runtime.Tests.AttachSupport;

/// <summary>
/// Calls nanosleep(2) from the calling thread, so a program hooked on the kernel's do_nanosleep (kprobe, kprobe.multi,
/// fentry) can count exactly this thread's calls (the programs filter on <see cref="ThreadId"/>).
/// </summary>
internal static class Nanosleep
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>Sleeps 1 µs <paramref name="times"/> times.</summary>
    public static void Call(int times)
    {
        var t = new Timespec { Nanoseconds = 1000 };
        for (var i = 0; i < times; i++)
            if (nanosleep(ref t, IntPtr.Zero) != 0)
                throw new InvalidOperationException($"nanosleep failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>The kernel's id of the calling thread (the low half of bpf_get_current_pid_tgid()).</summary>
    public static uint ThreadId => (uint)gettid();

    /// <summary>Whether this kernel has kprobes (CONFIG_KPROBES): the kprobe PMU is listed in sysfs.</summary>
    public static bool KernelHasKprobes => Directory.Exists("/sys/bus/event_source/devices/kprobe");

    [DllImport("libc", SetLastError = true)]
    private static extern int nanosleep(ref Timespec request, IntPtr remaining);

    [DllImport("libc")]
    private static extern int gettid();
}
