namespace Ebpf.Examples.Sockredir.Bench;

/// <summary>
/// Which CPU the client and the server of a measured connection run on. Unpinned, the scheduler sometimes puts both
/// ends on one CPU and sometimes on two, and on a VM a wakeup across CPUs costs 15-20 us, so the same run of one tool
/// gives two different latencies (6 or 25 us one way seen here for plain TCP at 64 B) and plain against
/// redirected compares placements, not paths. Pinning gives both paths the same placement; by default the two ends
/// run on different CPUs, as a client and a server usually do (sockperf's own guidance is to pin with taskset).
/// </summary>
internal sealed record Placement(int? ClientCpu, int? ServerCpu)
{
    public static Placement Unpinned { get; } = new(null, null);

    /// <summary>Client on the first CPU this process may use, server on the second; one CPU: both on it.</summary>
    public static Placement CrossCpu()
    {
        var cpus = AllowedCpus();
        return cpus.Count switch
        {
            0 => Unpinned,
            1 => new(cpus[0], cpus[0]),
            _ => new(cpus[0], cpus[1]),
        };
    }

    public string Describe() => ClientCpu is { } c && ServerCpu is { } s
        ? c == s ? $"client and server pinned to CPU {c}" : $"client pinned to CPU {c}, server to CPU {s}"
        : "client and server not pinned";

    /// <summary>The command line that runs <paramref name="file"/> on <paramref name="cpu"/> (taskset), or as is.</summary>
    public static (string File, string[] Args) On(int? cpu, string file, string[] args) =>
        cpu is { } n ? ("taskset", ["-c", n.ToString(System.Globalization.CultureInfo.InvariantCulture), file, .. args]) : (file, args);

    // Cpus_allowed_list of this process ("0-1", "0,2-3"): the CPUs a pinned child may use.
    private static List<int> AllowedCpus()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
        var cpus = new List<int>();
        foreach (var part in (line?.Split(':')[1].Trim() ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var range = part.Split('-');
            var first = int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
            var last = range.Length > 1 ? int.Parse(range[1], System.Globalization.CultureInfo.InvariantCulture) : first;
            for (var c = first; c <= last && cpus.Count < 2; c++)
                cpus.Add(c);
        }
        return cpus;
    }
}
