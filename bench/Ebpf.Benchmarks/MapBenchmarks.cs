using BenchmarkDotNet.Attributes;
using Ebpf;
using Ebpf.Maps;
using Ebpf.Object;

namespace Ebpf.Benchmarks;

/// <summary>
/// Cost of one map operation through the typed views (a bpf(2) call each), to compare with the same calls made
/// from C (Native/map_ops.c, figures in docs/benchmarks.md). Needs root. MemoryDiagnoser shows nothing is allocated.
/// </summary>
[MemoryDiagnoser]
public class MapBenchmarks
{
    private BpfMap hashMap = null!, arrayMap = null!, perCpuMap = null!;
    private HashMap<uint, ulong> hash = null!;
    private ArrayMap<ulong> array = null!;
    private PerCpuArrayMap<ulong> perCpu = null!;
    private ulong[] perCpuValues = null!;

    [GlobalSetup]
    public void Setup()
    {
        hashMap = BpfMap.Create(new MapSpec("bench_hash", MapType.Hash, 4, 8, 1024));
        arrayMap = BpfMap.Create(new MapSpec("bench_array", MapType.Array, 4, 8, 1024));
        perCpuMap = BpfMap.Create(new MapSpec("bench_pcpu", MapType.PerCpuArray, 4, 8, 1024));
        hash = new HashMap<uint, ulong>(hashMap);
        array = new ArrayMap<ulong>(arrayMap);
        perCpu = new PerCpuArrayMap<ulong>(perCpuMap);
        perCpuValues = new ulong[perCpu.CpuCount];
        for (uint i = 0; i < 1024; i++)
            hash.Update(i, i);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        hashMap.Dispose();
        arrayMap.Dispose();
        perCpuMap.Dispose();
    }

    [Benchmark]
    public bool HashLookup() => hash.TryLookup(42, out _);

    [Benchmark]
    public void HashUpdate() => hash.Update(42, 7);

    [Benchmark]
    public bool ArrayLookup() => array.TryLookup(42, out _);

    [Benchmark]
    public void ArrayUpdate() => array.Update(42, 7);

    [Benchmark]
    public bool PerCpuArrayLookup() => perCpu.TryLookup(42, perCpuValues);
}
