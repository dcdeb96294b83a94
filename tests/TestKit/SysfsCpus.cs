using System.Runtime.InteropServices;

namespace Ebpf.TestKit;

/// <summary>
/// The CPUs as sysfs lists them, read and parsed here on purpose: tests compare the runtime's own CPU counts
/// against this independent reading, so it must not call the runtime's parser. Also pins a thread to a CPU.
/// </summary>
public static class SysfsCpus
{
    /// <summary>The CPU numbers in /sys/devices/system/cpu/possible (per-CPU maps hold one value for each).</summary>
    public static IReadOnlyList<int> Possible => Read("possible");

    /// <summary>The CPU numbers in /sys/devices/system/cpu/online.</summary>
    public static IReadOnlyList<int> Online => Read("online");

    private static int[] Read(string which)
    {
        // Format: "0-3,8,10-11\n".
        var cpus = new List<int>();
        foreach (var part in File.ReadAllText($"/sys/devices/system/cpu/{which}").Trim().Split(','))
        {
            var dash = part.IndexOf('-');
            var first = int.Parse(dash < 0 ? part : part[..dash]);
            var last = dash < 0 ? first : int.Parse(part[(dash + 1)..]);
            for (var c = first; c <= last; c++)
                cpus.Add(c);
        }
        return cpus.ToArray();
    }

    /// <summary>Runs <paramref name="work"/> on a new thread that only CPU <paramref name="cpu"/> may run, and waits for it.</summary>
    public static void RunPinned(int cpu, Action work)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                // sched_setaffinity(0, ...) applies to the calling thread only, not to the whole process.
                var mask = new ulong[(cpu / 64) + 1];
                mask[cpu / 64] = 1UL << (cpu % 64);
                if (sched_setaffinity(0, (nuint)(mask.Length * 8), mask) != 0)
                    throw new InvalidOperationException($"sched_setaffinity to CPU {cpu} failed: errno {Marshal.GetLastPInvokeError()}");
                if (sched_getcpu() != cpu)
                    throw new InvalidOperationException($"pinned to CPU {cpu} but running on CPU {sched_getcpu()}");
                work();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
            throw new InvalidOperationException($"work pinned to CPU {cpu} failed", failure);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_setaffinity(int pid, nuint size, ulong[] mask);

    [DllImport("libc")]
    private static extern int sched_getcpu();
}
