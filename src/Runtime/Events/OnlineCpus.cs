namespace Ebpf.Events;

/// <summary>The online CPUs (/sys/devices/system/cpu/online, e.g. "0-3,6"): perf events can only be opened on those.</summary>
internal static class OnlineCpus
{
    public static IReadOnlyList<int> Read() => Parse(File.ReadAllText("/sys/devices/system/cpu/online"));

    public static IReadOnlyList<int> Parse(string list)
    {
        var cpus = new List<int>();
        foreach (var part in list.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-');
            var first = int.Parse(dash < 0 ? part : part[..dash], System.Globalization.CultureInfo.InvariantCulture);
            var last = dash < 0 ? first : int.Parse(part[(dash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            for (var c = first; c <= last; c++)
                cpus.Add(c);
        }
        return cpus;
    }
}
