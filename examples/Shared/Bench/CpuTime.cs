using System.Globalization;

namespace Ebpf.Examples.Bench;

/// <summary>CPU time from /proc: of given processes (user + system) and of the whole machine (busy, all CPUs).</summary>
public static class CpuTime
{
    private static readonly double TickMs = 1000.0 / 100; // USER_HZ is 100 on Linux

    /// <summary>user + system time of <paramref name="pids"/> (their threads included), in milliseconds.</summary>
    public static double OfProcesses(IEnumerable<int> pids)
    {
        double total = 0;
        foreach (var pid in pids)
        {
            string stat;
            try
            {
                stat = File.ReadAllText($"/proc/{pid}/stat");
            }
            catch (IOException)
            {
                continue; // exited
            }
            // Fields after the command name (which may contain spaces) start at field 3; utime and stime are fields 14 and 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            total += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * TickMs;
        }
        return total;
    }

    /// <summary>CPU time of every process of a cgroup v2 and its descendants since it was made (cpu.stat usage_usec), in
    /// milliseconds. Kernel work done in a task's context (softirqs run on its way out of a syscall) counts; work in kernel
    /// threads (workqueues, ksoftirqd, RCU callbacks) does not.</summary>
    public static double OfCgroup(string cgroup)
    {
        foreach (var line in File.ReadLines(Path.Combine(cgroup, "cpu.stat")))
            if (line.StartsWith("usage_usec ", StringComparison.Ordinal))
                return long.Parse(line["usage_usec ".Length..], CultureInfo.InvariantCulture) / 1000.0;
        throw new InvalidOperationException($"no usage_usec in {cgroup}/cpu.stat");
    }

    /// <summary>Busy time of all CPUs since boot (everything but idle and iowait), in milliseconds.</summary>
    public static double MachineBusy()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal (guest time is already in user)
        return (cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6] + cpu[7]) * TickMs;
    }
}
