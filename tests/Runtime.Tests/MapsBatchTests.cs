using System.Runtime.InteropServices;
using Ebpf.Maps;
using Ebpf.Object;
using Ebpf.TestKit;
using static Ebpf.Runtime.Tests.BatchTestSupport;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// Batch map operations on 100,000-entry kernel maps, checked against the per-key commands, through the kernel's batch
/// commands and through the forced key-by-key fallback (<c>perKey: true</c>), which must give the same results.
/// </summary>
public sealed class MapsBatchTests
{
    private const int Entries = 100_000;

    [StructLayout(LayoutKind.Sequential)]
    private struct LpmKey
    {
        public uint PrefixLength;
        public uint Address;
    }

    private static BpfMap Create(MapType type, uint keySize, uint valueSize, uint maxEntries = Entries, uint flags = 0) =>
        BpfMap.Create(new MapSpec("t_batch", type, keySize, valueSize, maxEntries, flags));

    private static ulong ValueOf(uint key) => key * 0x9e3779b97f4a7c15ul + 1;

    /// <summary>Walks the whole map with small batches (many kernel calls) and returns every entry.</summary>
    private static List<KeyValuePair<uint, ulong>> WalkAll(KeyValueMap<uint, ulong> map, bool delete, bool perKey, int batch = 997)
    {
        var keys = new uint[batch];
        var values = new ulong[batch];
        var cursor = new MapBatchCursor();
        var all = new List<KeyValuePair<uint, ulong>>();
        var calls = 0;
        while (!cursor.IsDone)
        {
            var n = delete ? map.LookupAndDeleteBatch(cursor, keys, values) : map.LookupBatch(cursor, keys, values);
            Assert.InRange(n, 0, batch);
            for (var i = 0; i < n; i++)
                all.Add(new(keys[i], values[i]));
            Assert.True(++calls < 10 * Entries / batch, "the walk does not end");
        }
        Assert.Equal(0, delete ? map.LookupAndDeleteBatch(cursor, keys, values) : map.LookupBatch(cursor, keys, values));
        Assert.Equal(perKey, cursor.PerKey); // the kernel's batch commands served the walk unless the fallback was forced
        return all;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HashBatchUpdateThenPerKeyLookupAndBatchLookupAgree(bool perKey)
    {
        Kernel.RequireRoot();
        using var raw = Create(MapType.Hash, 4, 8);
        var map = new HashMap<uint, ulong>(raw);
        var keys = Keys(Entries);
        var values = keys.Select(ValueOf).ToArray();
        Run(perKey, () =>
        {
            Assert.Equal(Entries, map.UpdateBatch(keys, values));
            foreach (var key in keys)
                Assert.Equal(ValueOf(key), map.Lookup(key));

            var walked = WalkAll(map, delete: false, perKey);
            Assert.Equal(Entries, walked.Count);
            Assert.Equal(Entries, walked.Select(e => e.Key).Distinct().Count());
            foreach (var (key, value) in walked)
                Assert.Equal(map.Lookup(key), value); // per-key result for every key the batch returned
            Assert.Equal(keys.Order(), walked.Select(e => e.Key).Order());

            Assert.Equal(walked, map.EntriesInBatches(4096).ToList()); // same kernel order, other batch size
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HashBatchDeleteEmptiesTheMapAndAMissingKeyStopsIt(bool perKey)
    {
        Kernel.RequireRoot();
        using var raw = Create(MapType.Hash, 4, 8);
        var map = new HashMap<uint, ulong>(raw);
        var keys = Keys(Entries);
        foreach (var key in keys)
            map.Update(key, ValueOf(key));
        Run(perKey, () =>
        {
            Assert.Equal(Entries - 10, map.DeleteBatch<uint, ulong>(keys.AsSpan(10)));
            Assert.Equal(keys[..10].Order(), map.Keys.Order());
            // keys[0..5] still exist, key 1 never did: five deleted, then the missing key stops the batch
            var e = Assert.Throws<KeyNotFoundException>(() => map.DeleteBatch<uint, ulong>([keys[0], keys[1], keys[2], keys[3], keys[4], 1, keys[5]]));
            Assert.Contains("no key 1 ", e.Message);
            Assert.Contains("5 of 7 entries before it were removed", e.Message);
            Assert.Equal(keys[5..10].Order(), map.Keys.Order());
            Assert.Equal(5, map.DeleteBatch<uint, ulong>(keys.AsSpan(5, 5)));
            Assert.Empty(map.Keys);
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HashLookupAndDeleteReturnsEveryEntryOnceAndEmptiesTheMap(bool perKey)
    {
        Kernel.RequireRoot();
        using var raw = Create(MapType.Hash, 4, 8);
        var map = new HashMap<uint, ulong>(raw);
        var keys = Keys(Entries);
        map.UpdateBatch(keys, keys.Select(ValueOf).ToArray());
        Run(perKey, () =>
        {
            var taken = WalkAll(map, delete: true, perKey);
            Assert.Equal(keys.Order(), taken.Select(e => e.Key).Order());
            Assert.All(taken, e => Assert.Equal(ValueOf(e.Key), e.Value));
            Assert.Empty(map.Keys);
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ArrayBatchUpdateAndLookupCoverEveryIndexAndDeleteIsRefusedWithTheReason(bool perKey)
    {
        Kernel.RequireRoot();
        using var raw = Create(MapType.Array, 4, 8);
        var map = new ArrayMap<ulong>(raw);
        var indexes = Enumerable.Range(0, Entries).Select(i => (uint)i).ToArray();
        Run(perKey, () =>
        {
            Assert.Equal(Entries, map.UpdateBatch(indexes, indexes.Select(ValueOf).ToArray()));
            foreach (var index in indexes)
                Assert.Equal(ValueOf(index), map.Lookup(index));
            var walked = WalkAll(map, delete: false, perKey);
            Assert.Equal(indexes, walked.Select(e => e.Key)); // arrays walk in index order
            Assert.All(walked, e => Assert.Equal(ValueOf(e.Key), e.Value));

            var outOfRange = Assert.Throws<BpfException>(() => map.UpdateBatch<uint, ulong>([1, 2, Entries], [5, 6, 7]));
            Assert.Contains("2 of 3 entries before it were written", outOfRange.Message);
            Assert.Equal(6ul, map[2]);
            // the kernel has no delete batch for arrays (ENOTSUPP): the fallback runs unforced and meets the per-key EINVAL
            var delete = Assert.Throws<BpfException>(() => map.DeleteBatch<uint, ulong>([1u]));
            Assert.Contains("BPF_MAP_DELETE_BATCH", delete.Message);
            Assert.Contains("EINVAL", delete.Message);
            Assert.Contains("cannot be deleted", delete.Message);
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LruHashBatchesRoundTrip(bool perKey)
    {
        Kernel.RequireRoot();
        using var raw = Create(MapType.LruHash, 4, 8, maxEntries: 4096);
        var map = new LruHashMap<uint, ulong>(raw);
        var keys = Keys(1000);
        Run(perKey, () =>
        {
            Assert.Equal(1000, map.UpdateBatch(keys, keys.Select(ValueOf).ToArray()));
            var all = map.EntriesInBatches(100).ToList();
            Assert.Equal(keys.Order(), all.Select(e => e.Key).Order());
            Assert.All(all, e => Assert.Equal(ValueOf(e.Key), e.Value));
            Assert.Equal(1000, map.DeleteBatch<uint, ulong>(keys));
            Assert.Empty(map.Keys);
        });
    }

    /// <summary>Struct keys through the batch commands (the LPM trie has them on this kernel, through the generic walk).</summary>
    [Fact]
    public void LpmTrieBatchesRoundTripStructKeys()
    {
        Kernel.RequireRoot();
        using var raw = Create(MapType.LpmTrie, 8, 4, maxEntries: 512, flags: 1 /* BPF_F_NO_PREALLOC, required */);
        var map = new LpmTrieMap<LpmKey, uint>(raw);
        var keys = Enumerable.Range(0, 300).Select(i => new LpmKey { PrefixLength = 24, Address = (uint)i << 8 }).ToArray();
        var values = Enumerable.Range(0, 300).Select(i => (uint)i * 7).ToArray();
        Assert.Equal(300, map.UpdateBatch(keys, values));
        var all = map.EntriesInBatches(64).ToList();
        Assert.Equal(300, all.Count);
        Assert.All(all, e => Assert.Equal((e.Key.Address >> 8) * 7, e.Value));
        Assert.Equal(300, map.DeleteBatch<LpmKey, uint>(keys));
        Assert.Empty(map.Keys);
    }

    [Fact]
    public void SpansWithoutRoomOrMismatchedLengthsAreRefused()
    {
        var map = new HashMap<uint, ulong>(new BpfMap(new MapSpec("t_batch", MapType.Hash, 4, 8, 16)));
        Assert.Throws<ArgumentException>(() => map.LookupBatch(new MapBatchCursor(), Span<uint>.Empty, new ulong[4]));
        var e = Assert.Throws<ArgumentException>(() => map.UpdateBatch<uint, ulong>([1, 2], [1]));
        Assert.Contains("2 keys but 1 values", e.Message);
    }
}
