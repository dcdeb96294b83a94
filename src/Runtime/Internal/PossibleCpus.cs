namespace Ebpf.Internal;

/// <summary>
/// The number of possible CPUs (/sys/devices/system/cpu/possible, e.g. "0-3" or "0,2-5"): per-CPU maps hold one
/// value slot per possible CPU, not per online CPU, and that is how many the kernel copies on lookup.
/// </summary>
internal static class PossibleCpus
{
    private static readonly Lazy<int> count = new(() => Parse(File.ReadAllText("/sys/devices/system/cpu/possible")));

    public static int Count => count.Value;

    /// <summary>Counts the CPUs in a kernel cpu-list string.</summary>
    public static int Parse(string list)
    {
        var total = 0;
        foreach (var part in list.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-');
            if (dash < 0)
            {
                _ = int.Parse(part, System.Globalization.CultureInfo.InvariantCulture);
                total++;
            }
            else
            {
                var first = int.Parse(part[..dash], System.Globalization.CultureInfo.InvariantCulture);
                var last = int.Parse(part[(dash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                total += last - first + 1;
            }
        }
        if (total <= 0)
            throw new InvalidOperationException($"cannot read the possible CPUs from '{list}'");
        return total;
    }
}
