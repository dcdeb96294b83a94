namespace Ebpf.Examples.Sockredir.Redirector;

/// <summary>The kernel program's counters (enum sockredir_stat in sockredir.bpf.c, same order), summed over CPUs.</summary>
internal enum Stat
{
    RedirectedMessages,
    RedirectedBytes,
    PassedNoPeer,
    PassedNoPeerBytes,
    PassedFamily,
    PassedLarge,
    SocketsAdded,
    SocketsFailed,
    PassPulled,
    PassPullFailed,
    PassedTcpBound,
    PassedTcpBoundBytes,
    Demoted,
    NoState,
}

/// <summary>One reading of every counter.</summary>
internal sealed record RedirectorStats(IReadOnlyList<ulong> Values)
{
    public static int Count => Enum.GetValues<Stat>().Length;

    public ulong this[Stat s] => (int)s < Values.Count ? Values[(int)s] : 0;

    /// <summary>Counter by counter difference (counters only grow).</summary>
    public RedirectorStats Since(RedirectorStats earlier) =>
        new(Values.Select((v, i) => v - (i < earlier.Values.Count ? earlier.Values[i] : 0)).ToArray());

    public override string ToString() =>
        string.Join(", ", Enum.GetValues<Stat>().Select(s => $"{s}={this[s]}"));
}
