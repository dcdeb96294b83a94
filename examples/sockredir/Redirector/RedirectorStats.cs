using static Ebpf.Examples.Sockredir.SockredirSkel.SpliceStat;

namespace Ebpf.Examples.Sockredir.Redirector;

/// <summary>
/// One reading of the kernel program's counters, summed over CPUs, indexed by <see cref="SockredirSkel.SpliceStat"/>
/// (enum splice_stat of Shared/bpf/sockmsg_splice.h, generated into the skeleton through the item's Types).
/// </summary>
internal sealed record RedirectorStats(IReadOnlyList<ulong> Values)
{
    /// <summary>How many counters the program keeps (SPLICE_STAT_COUNT).</summary>
    public static int Count => (int)SpliceStatCount;

    private static readonly SockredirSkel.SpliceStat[] All = Enum.GetValues<SockredirSkel.SpliceStat>().Where(s => s != SpliceStatCount).ToArray();

    public ulong this[SockredirSkel.SpliceStat s] => (int)s < Values.Count ? Values[(int)s] : 0;

    /// <summary>Counter by counter difference (counters only grow).</summary>
    public RedirectorStats Since(RedirectorStats earlier) =>
        new(Values.Select((v, i) => v - (i < earlier.Values.Count ? earlier.Values[i] : 0)).ToArray());

    /// <summary>Each counter with its C name without the STAT_ prefix ("RedirectedMsgs"), in the map's order.</summary>
    public IEnumerable<(string Name, ulong Value)> Named() => All.Select(s => (s.ToString()["Stat".Length..], this[s]));

    /// <summary>`RedirectedMsgs=1, RedirectedBytes=2, ...`.</summary>
    public override string ToString() => string.Join(", ", Named().Select(n => $"{n.Name}={n.Value}"));
}
