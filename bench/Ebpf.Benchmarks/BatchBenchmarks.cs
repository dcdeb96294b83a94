using BenchmarkDotNet.Attributes;
using Ebpf;
using Ebpf.Maps;
using Ebpf.Object;

namespace Ebpf.Benchmarks;

/// <summary>
/// Reading every entry of a 100,000-entry hash map: one BPF_MAP_LOOKUP_BATCH call per 4096 entries against the
/// per-key walk (BPF_MAP_GET_NEXT_KEY plus BPF_MAP_LOOKUP_ELEM for each entry, what <c>Entries()</c> does). Needs root.
/// </summary>
[MemoryDiagnoser]
public class BatchBenchmarks
{
    private const int Entries = 100_000;
    private BpfMap hashMap = null!;
    private HashMap<uint, ulong> hash = null!;
    private readonly uint[] keys = new uint[4096];
    private readonly ulong[] values = new ulong[4096];

    [GlobalSetup]
    public void Setup()
    {
        hashMap = BpfMap.Create(new MapSpec("bench_batch", MapType.Hash, 4, 8, Entries));
        hash = new HashMap<uint, ulong>(hashMap);
        var all = Enumerable.Range(0, Entries).Select(i => (uint)i).ToArray();
        hash.UpdateBatch(all, all.Select(k => (ulong)k).ToArray());
    }

    [GlobalCleanup]
    public void Cleanup() => hashMap.Dispose();

    [Benchmark(Baseline = true)]
    public ulong PerKeyWalk()
    {
        ulong sum = 0;
        foreach (var entry in hash.Entries())
            sum += entry.Value;
        return sum;
    }

    [Benchmark]
    public ulong BatchLookup()
    {
        ulong sum = 0;
        var cursor = new MapBatchCursor();
        while (!cursor.IsDone)
        {
            var n = hash.LookupBatch(cursor, keys, values);
            for (var i = 0; i < n; i++)
                sum += values[i];
        }
        return sum;
    }
}
