using Ebpf.Maps;
using Ebpf.Object;
using Ebpf.TestKit;
using static Ebpf.Runtime.Tests.BatchTestSupport;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// Batch operations on per-CPU kernel maps (every possible CPU's value of every key), checked against the per-key
/// per-CPU commands, through the kernel's batch commands and through the forced key-by-key fallback (<c>perKey: true</c>),
/// which must give the same results. Values differ per CPU, so a CPU order or stride slip shows.
/// </summary>
public sealed class MapsPerCpuBatchTests
{
    private const int Entries = 100_000;

    /// <summary>12 bytes: the kernel stores it at a 16-byte stride, so batches of it go through the repack.</summary>
    private struct Twelve
    {
        public uint A, B, C;
    }

    private static readonly int Cpus = new PerCpuArrayMap<ulong>(new BpfMap(new MapSpec("t_pcb", MapType.PerCpuArray, 4, 8, 1))).CpuCount;

    private static BpfMap Create(MapType type, uint valueSize, uint maxEntries = Entries) =>
        BpfMap.Create(new MapSpec("t_pcbatch", type, 4, valueSize, maxEntries));

    private static ulong ValueOf(uint key, int cpu) => key * 0x9e3779b97f4a7c15ul + (ulong)cpu + 1;

    private static Twelve TwelveOf(uint key, int cpu) => new() { A = key, B = (uint)cpu + 1, C = ~key ^ (uint)cpu };

    /// <summary>Every key's values, key after key, every CPU: the layout the batch calls take.</summary>
    private static T[] ValuesOf<T>(uint[] keys, Func<uint, int, T> value) =>
        keys.SelectMany(key => Enumerable.Range(0, Cpus).Select(cpu => value(key, cpu))).ToArray();

    /// <summary>A per-CPU hash with <see cref="Entries"/> keys written with the per-key call (not the batch under test).</summary>
    private static (PerCpuHashMap<uint, ulong> Map, uint[] Keys) FilledPerKey(BpfMap raw)
    {
        var map = new PerCpuHashMap<uint, ulong>(raw);
        var keys = Keys(Entries);
        var values = new ulong[Cpus];
        foreach (var key in keys)
        {
            for (var cpu = 0; cpu < Cpus; cpu++)
                values[cpu] = ValueOf(key, cpu);
            map.Update(key, values);
        }
        return (map, keys);
    }

    /// <summary>Walks the whole map with small batches (many kernel calls) and returns every entry with its per-CPU values.</summary>
    private static List<(uint Key, T[] Values)> WalkAll<T>(PerCpuMap<uint, T> map, bool delete, bool perKey, int batch = 997)
        where T : unmanaged
    {
        var keys = new uint[batch];
        var values = new T[batch * Cpus];
        var cursor = new MapBatchCursor();
        var all = new List<(uint, T[])>();
        var calls = 0;
        while (!cursor.IsDone)
        {
            var n = delete ? map.LookupAndDeleteBatch(cursor, keys, values) : map.LookupBatch(cursor, keys, values);
            Assert.InRange(n, 0, batch);
            for (var i = 0; i < n; i++)
                all.Add((keys[i], values.AsSpan(i * Cpus, Cpus).ToArray()));
            Assert.True(++calls < 10 * Entries / batch, "the walk does not end");
        }
        Assert.True(calls > 1, "the walk took one batch: it does not test resuming");
        // after the ENOENT that ended it, the walk stays done
        Assert.Equal(0, delete ? map.LookupAndDeleteBatch(cursor, keys, values) : map.LookupBatch(cursor, keys, values));
        Assert.Equal(perKey, cursor.PerKey); // the kernel's batch commands served the walk unless the fallback was forced
        return all;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PerCpuHashBatchUpdateThenPerKeyLookupAndBatchLookupAgree(bool perKey)
    {
        Kernel.RequireRoot();
        using var raw = Create(MapType.PerCpuHash, 8);
        var map = new PerCpuHashMap<uint, ulong>(raw);
        var keys = Keys(Entries);
        Run(perKey, () =>
        {
            Assert.Equal(Entries, map.UpdateBatch(keys, ValuesOf(keys, ValueOf)));
            foreach (var key in keys)
                Assert.Equal(Enumerable.Range(0, Cpus).Select(cpu => ValueOf(key, cpu)), map.Lookup(key));

            var walked = WalkAll(map, delete: false, perKey);
            Assert.Equal(keys.Order(), walked.Select(e => e.Key).Order()); // every key once
            foreach (var (key, values) in walked)
                Assert.Equal(map.Lookup(key), values); // the per-key result, every CPU

            var enumerated = map.EntriesInBatches(4096).Select(e => (e.Key, e.Value.ToArray())).ToList();
            Assert.Equal(walked.Select(e => e.Key), enumerated.Select(e => e.Key)); // same kernel order, other batch size
            Assert.Equal(walked.SelectMany(e => e.Values), enumerated.SelectMany(e => e.Item2));
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PerCpuHashBatchDeleteEmptiesTheMapAndAMissingKeyStopsIt(bool perKey)
    {
        Kernel.RequireRoot();
        using var raw = Create(MapType.PerCpuHash, 8);
        var (map, keys) = FilledPerKey(raw);
        Run(perKey, () =>
        {
            Assert.Equal(Entries - 10, map.DeleteBatch<uint, ulong>(keys.AsSpan(10)));
            Assert.Equal(keys[..10].Order(), map.Keys.Order());
            var e = Assert.Throws<KeyNotFoundException>(() => map.DeleteBatch<uint, ulong>([keys[0], keys[1], 1, keys[2]]));
            Assert.Contains("no key 1 ", e.Message);
            Assert.Contains("2 of 4 entries before it were removed", e.Message);
            Assert.Equal(keys[2..10].Order(), map.Keys.Order());
            foreach (var key in keys[2..10]) // the survivors keep every CPU's value
                Assert.Equal(Enumerable.Range(0, Cpus).Select(cpu => ValueOf(key, cpu)), map.Lookup(key));
            Assert.Equal(8, map.DeleteBatch<uint, ulong>(keys.AsSpan(2, 8)));
            Assert.Empty(map.Keys);
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PerCpuHashLookupAndDeleteReturnsEveryEntryOnceAndEmptiesTheMap(bool perKey)
    {
        Kernel.RequireRoot();
        using var raw = Create(MapType.PerCpuHash, 8);
        var (map, keys) = FilledPerKey(raw);
        Run(perKey, () =>
        {
            var taken = WalkAll(map, delete: true, perKey);
            Assert.Equal(keys.Order(), taken.Select(e => e.Key).Order());
            Assert.All(taken, e => Assert.Equal(Enumerable.Range(0, Cpus).Select(cpu => ValueOf(e.Key, cpu)), e.Values));
            Assert.Empty(map.Keys);

            var cursor = new MapBatchCursor(); // an empty map: the first batch meets ENOENT and ends the walk
            Assert.Equal(0, map.LookupBatch(cursor, new uint[8], new ulong[8 * Cpus]));
            Assert.True(cursor.IsDone);
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PerCpuArrayBatchesCoverEveryIndexAndDeleteIsRefusedWithTheReason(bool perKey)
    {
        Kernel.RequireRoot();
        const int size = 10_000;
        using var raw = Create(MapType.PerCpuArray, 8, maxEntries: size);
        var map = new PerCpuArrayMap<ulong>(raw);
        var indexes = Enumerable.Range(0, size).Select(i => (uint)i).ToArray();
        Run(perKey, () =>
        {
            Assert.Equal(size, map.UpdateBatch(indexes, ValuesOf(indexes, ValueOf)));
            foreach (var index in indexes)
                Assert.Equal(Enumerable.Range(0, Cpus).Select(cpu => ValueOf(index, cpu)), map.Lookup(index));
            var walked = WalkAll(map, delete: false, perKey);
            Assert.Equal(indexes, walked.Select(e => e.Key)); // arrays walk in index order
            Assert.All(walked, e => Assert.Equal(map.Lookup(e.Key), e.Values));

            ulong[] three = [.. ValuesOf<ulong>([1, 2, size], (_, cpu) => 40ul + (ulong)cpu)];
            var outOfRange = Assert.Throws<BpfException>(() => map.UpdateBatch<uint, ulong>([1, 2, size], three));
            Assert.Contains("2 of 3 entries before it were written", outOfRange.Message);
            Assert.Equal(Enumerable.Range(0, Cpus).Select(cpu => 40ul + (ulong)cpu), map.Lookup(2));
            // no delete batch for arrays (ENOTSUPP): the fallback runs unforced and meets the per-key EINVAL
            var delete = Assert.Throws<BpfException>(() => map.DeleteBatch<uint, ulong>([1u]));
            Assert.Contains("BPF_MAP_DELETE_BATCH", delete.Message);
            Assert.Contains("cannot be deleted", delete.Message);
            var take = Assert.Throws<BpfException>(() => map.LookupAndDeleteBatch(new MapBatchCursor(), new uint[4], new ulong[4 * Cpus]));
            Assert.Contains("cannot be deleted", take.Message);
        });
    }

    /// <summary>12-byte values (16-byte kernel stride) on the LRU per-CPU hash and the per-CPU array, against per-key calls.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ValuesNotAMultipleOf8RoundTripThroughTheStrideRepack(bool perKey)
    {
        Kernel.RequireRoot();
        using var lruRaw = Create(MapType.LruPerCpuHash, 12, maxEntries: 4096);
        using var arrayRaw = Create(MapType.PerCpuArray, 12, maxEntries: 1000);
        var lru = new LruPerCpuHashMap<uint, Twelve>(lruRaw);
        var array = new PerCpuArrayMap<Twelve>(arrayRaw);
        var keys = Keys(1000);
        var indexes = Enumerable.Range(0, 1000).Select(i => (uint)i).ToArray();
        Run(perKey, () =>
        {
            Assert.Equal(1000, lru.UpdateBatch(keys, ValuesOf(keys, TwelveOf)));
            Assert.Equal(1000, array.UpdateBatch(indexes, ValuesOf(indexes, TwelveOf)));
            var expected = new Twelve[Cpus];
            foreach (var (view, key) in keys.Select(k => ((PerCpuMap<uint, Twelve>)lru, k)).Concat(indexes.Select(i => ((PerCpuMap<uint, Twelve>)array, i))))
            {
                Assert.True(view.TryLookup(key, expected));
                Assert.Equal(Enumerable.Range(0, Cpus).Select(cpu => TwelveOf(key, cpu)), expected);
            }
            var fromLru = lru.EntriesInBatches(100).ToList();
            Assert.Equal(keys.Order(), fromLru.Select(e => e.Key).Order());
            Assert.All(fromLru, e => Assert.Equal(Enumerable.Range(0, Cpus).Select(cpu => TwelveOf(e.Key, cpu)), e.Value.ToArray()));
            var fromArray = array.EntriesInBatches(64).ToList();
            Assert.Equal(indexes, fromArray.Select(e => e.Key));
            Assert.All(fromArray, e => Assert.Equal(Enumerable.Range(0, Cpus).Select(cpu => TwelveOf(e.Key, cpu)), e.Value.ToArray()));

            var taken = WalkAll(lru, delete: true, perKey, batch: 97);
            Assert.Equal(keys.Order(), taken.Select(e => e.Key).Order());
            Assert.All(taken, e => Assert.Equal(Enumerable.Range(0, Cpus).Select(cpu => TwelveOf(e.Key, cpu)), e.Values));
            Assert.Empty(lru.Keys);
        });
    }

    [Fact]
    public void SpansAreMeasuredInValuesPerCpu()
    {
        var map = new PerCpuHashMap<uint, ulong>(new BpfMap(new MapSpec("t_pcbatch", MapType.PerCpuHash, 4, 8, 16)));
        var e = Assert.Throws<ArgumentException>(() => map.UpdateBatch<uint, ulong>([1, 2], new ulong[2]));
        Assert.Contains($"2 keys need {2 * Cpus} values ({Cpus} per key", e.Message);
        // room for keys but not for one key's values on every CPU
        var room = Assert.Throws<ArgumentException>(() => map.LookupBatch(new MapBatchCursor(), new uint[4], new ulong[Cpus - 1]));
        Assert.Contains("one per possible CPU", room.Message);
    }

    /// <summary>Batches allocate nothing once warm, both with values passed straight through and with the repack.</summary>
    [Fact]
    public void PerCpuBatchesAllocateNothing()
    {
        Kernel.RequireRoot();
        using var hashRaw = Create(MapType.PerCpuHash, 8, maxEntries: 256);
        using var arrayRaw = Create(MapType.PerCpuArray, 12, maxEntries: 256);
        var hash = new PerCpuHashMap<uint, ulong>(hashRaw);
        var array = new PerCpuArrayMap<Twelve>(arrayRaw);
        var keys = Enumerable.Range(0, 256).Select(i => (uint)i).ToArray();
        var longs = ValuesOf(keys, ValueOf);
        var twelves = ValuesOf(keys, TwelveOf);
        var cursor = new MapBatchCursor();
        Run(hash, array, keys, longs, twelves, cursor); // warm up (JIT, pooled buffers)
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(hash, array, keys, longs, twelves, cursor);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        static void Run(PerCpuHashMap<uint, ulong> hash, PerCpuArrayMap<Twelve> array, uint[] keys, ulong[] longs, Twelve[] twelves,
                        MapBatchCursor cursor)
        {
            for (var round = 0; round < 20; round++)
            {
                hash.UpdateBatch(keys, longs);
                array.UpdateBatch(keys, twelves);
                foreach (var walk in (ReadOnlySpan<bool>)[false, true])
                {
                    cursor.Reset();
                    var total = 0;
                    while (!cursor.IsDone)
                        total += walk ? array.LookupBatch(cursor, keys.AsSpan(0, 64), twelves) : hash.LookupBatch(cursor, keys.AsSpan(0, 64), longs);
                    if (total != keys.Length)
                        Assert.Fail($"the walk returned {total} of {keys.Length} entries");
                }
                for (var i = 0; i < keys.Length; i++)
                    keys[i] = (uint)i; // the walks wrote the keys back in kernel order; put them back in index order
                hash.DeleteBatch<uint, ulong>(keys);
            }
        }
    }
}
