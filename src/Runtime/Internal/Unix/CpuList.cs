using System.Globalization;

namespace Ebpf.Internal;

/// <summary>
/// The kernel's CPU lists (/sys/devices/system/cpu/online and possible, e.g. "0-3,6"): perf events open on the
/// online CPUs, while per-CPU maps hold one value slot per possible CPU, which is how many the kernel copies on lookup.
/// </summary>
internal static class CpuList
{
    private static readonly Lazy<int> possibleCount = new(() => Parse(File.ReadAllText("/sys/devices/system/cpu/possible")).Count);

    /// <summary>The number of possible CPUs (fixed for the life of the system, so read once).</summary>
    public static int PossibleCount => possibleCount.Value;

    /// <summary>The online CPUs, read afresh (CPUs can be hot-plugged).</summary>
    public static IReadOnlyList<int> Online() => Parse(File.ReadAllText("/sys/devices/system/cpu/online"));

    /// <summary>The CPUs in a kernel cpu-list string; <see cref="FormatException"/> when it is not one, or is empty.</summary>
    public static IReadOnlyList<int> Parse(string list)
    {
        var cpus = new List<int>();
        foreach (var part in list.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-');
            var first = int.Parse(dash < 0 ? part : part[..dash], CultureInfo.InvariantCulture);
            var last = dash < 0 ? first : int.Parse(part[(dash + 1)..], CultureInfo.InvariantCulture);
            if (first < 0 || last < first)
                throw new FormatException($"'{part}' is not a CPU range in the cpu list '{list.Trim()}'");
            for (var c = first; c <= last; c++)
                cpus.Add(c);
        }
        return cpus.Count > 0 ? cpus : throw new FormatException($"the cpu list '{list.Trim()}' names no CPU");
    }
}
