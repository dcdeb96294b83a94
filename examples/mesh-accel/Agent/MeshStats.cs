using System.Text.Json;
using Ebpf.Maps;
using MeshStat = Ebpf.Examples.MeshAccel.MeshAccelSkel.MeshStat;
using SpliceStat = Ebpf.Examples.MeshAccel.MeshAccelSkel.SpliceStat;

namespace Ebpf.Examples.MeshAccel.Agent;

/// <summary>
/// A reading of every counter of mesh-accel.bpf.c's stats map, summed over CPUs. The indices are the C enums, generated
/// into the skeleton through the item's Types: <see cref="SpliceStat"/> (sockmsg_splice.h's counters) and then
/// <see cref="MeshStat"/> (mesh-accel's own, numbered on from SPLICE_STAT_COUNT).
/// </summary>
internal sealed record MeshStats(IReadOnlyList<ulong> Values)
{
    /// <summary>Slots the program uses (MESH_STAT_COUNT).</summary>
    public static int Count => (int)MeshStat.MeshStatCount;

    /// <summary>Every counter, in map order, with its C name without STAT_, kebab-case ("connect-outbound").</summary>
    private static readonly (string Name, int Index)[] All =
        [.. Counters(SpliceStat.SpliceStatCount), .. Counters(MeshStat.MeshStatCount)];

    public ulong this[SpliceStat s] => Values[(int)s];

    public ulong this[MeshStat s] => Values[(int)s];

    public ulong Redirected => this[MeshStat.StatConnectOutbound] + this[MeshStat.StatConnectInbound] + this[MeshStat.StatConnectSelf];

    public static MeshStats Read(PerCpuArrayMap<ulong> map) =>
        new(Enumerable.Range(0, Count).Select(i => map.Lookup((uint)i).Aggregate(0UL, (sum, v) => sum + v)).ToArray());

    public MeshStats Since(MeshStats earlier) => new(Values.Zip(earlier.Values, (a, b) => a - b).ToArray());

    /// <summary>Name and value of each counter, for --json and tables.</summary>
    public IEnumerable<(string Name, ulong Value)> Named() => All.Select(c => (c.Name, Values[c.Index]));

    // The enum's members but its *_COUNT terminator.
    private static IEnumerable<(string Name, int Index)> Counters<T>(T count) where T : struct, Enum =>
        Enum.GetValues<T>().Where(v => !v.Equals(count))
            .Select(v => (JsonNamingPolicy.KebabCaseLower.ConvertName(v.ToString()["Stat".Length..]), Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)));
}
