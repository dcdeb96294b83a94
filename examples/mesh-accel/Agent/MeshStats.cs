using Ebpf.Maps;

namespace Ebpf.Examples.MeshAccel.Agent;

/// <summary>The counters of mesh-accel.bpf.c's stats map, in its order (sockmsg_splice.h's first, then mesh_stat's).</summary>
internal enum MeshStat
{
    SplicedMessages,
    SplicedBytes,
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
    ConnectOutbound,
    ConnectInbound,
    ConnectSelf,
    ConnectBypassed,
    OrigRekeyed,
    OrigFreed,
    SockoptAnswered,
    SockoptMissed,
    OrigFull,
}

/// <summary>A reading of every counter, summed over CPUs.</summary>
internal sealed record MeshStats(IReadOnlyList<ulong> Values)
{
    public static readonly int Count = Enum.GetValues<MeshStat>().Length;

    public ulong this[MeshStat s] => Values[(int)s];

    public ulong Redirected => this[MeshStat.ConnectOutbound] + this[MeshStat.ConnectInbound] + this[MeshStat.ConnectSelf];

    public static MeshStats Read(PerCpuArrayMap<ulong> map) =>
        new(Enumerable.Range(0, Count).Select(i => map.Lookup((uint)i).Aggregate(0UL, (sum, v) => sum + v)).ToArray());

    public MeshStats Since(MeshStats earlier) => new(Values.Zip(earlier.Values, (a, b) => a - b).ToArray());

    /// <summary>Name and value of each counter, for --json and tables.</summary>
    public IEnumerable<(string Name, ulong Value)> Named() =>
        Enum.GetValues<MeshStat>().Select(s => (System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(s.ToString()), this[s]));
}
