using System.Runtime.InteropServices;
using Ebpf.Maps;
using Ebpf.Object;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>Typed round trips through real kernel maps of every data kind, and the errors users meet.</summary>
public sealed class MapsDataTests
{
    [StructLayout(LayoutKind.Sequential)]
    private struct FlowKey
    {
        public uint SourceAddress, DestinationAddress;
        public ushort SourcePort, DestinationPort;
        public byte Protocol;
        // 3 bytes of padding, as in C: keys are compared bytewise, so they must be zeroed (default(FlowKey) is)
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct FlowStats
    {
        public ulong Packets, Bytes;
        public int Delta;
        public byte Flagged;
    }

    /// <summary>12 bytes: not a multiple of 8, so per-CPU values are padded by the kernel.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Triple
    {
        public uint A, B, C;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct LpmKey
    {
        public uint PrefixLength;
        public uint Address; // network order bytes
    }

    private static unsafe BpfMap Create<TKey, TValue>(MapType type, uint maxEntries, uint flags = 0)
        where TKey : unmanaged where TValue : unmanaged =>
        BpfMap.Create(new MapSpec("t_" + type.ToString().ToLowerInvariant(), type, (uint)sizeof(TKey), (uint)sizeof(TValue), maxEntries, flags));

    private static FlowKey Key(int i) => new()
    {
        SourceAddress = 0x0a000001u + (uint)i, DestinationAddress = 0x0a0000feu, SourcePort = (ushort)(1000 + i), DestinationPort = 80, Protocol = 6,
    };

    [Fact]
    public void HashMapRoundTripsStructs()
    {
        Kernel.RequireRoot();
        using var map = Create<FlowKey, FlowStats>(MapType.Hash, 64);
        var flows = new HashMap<FlowKey, FlowStats>(map);
        for (var i = 0; i < 10; i++)
            flows.Update(Key(i), new FlowStats { Packets = (ulong)i, Bytes = (ulong)i * 1500, Delta = -i, Flagged = (byte)(i & 1) });

        for (var i = 0; i < 10; i++)
        {
            var stats = flows.Lookup(Key(i));
            Assert.Equal((ulong)i * 1500, stats.Bytes);
            Assert.Equal(-i, stats.Delta);
            Assert.Equal((byte)(i & 1), stats.Flagged);
        }
        Assert.Equal(10, flows.Keys.Count());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => Key(i).SourcePort).Order(), flows.Keys.Select(k => k.SourcePort).Order());
        Assert.False(flows.TryLookup(Key(99), out _));
        Assert.True(flows.ContainsKey(Key(3)));

        Assert.True(flows.TryDelete(Key(3)));
        Assert.False(flows.TryDelete(Key(3)));
        var missing = Assert.Throws<KeyNotFoundException>(() => flows.Lookup(Key(3)));
        Assert.Contains("t_hash", missing.Message);
        Assert.Contains("0x", missing.Message); // the key's bytes
        Assert.Throws<KeyNotFoundException>(() => flows.Delete(Key(3)));
        Assert.Equal(9, flows.Entries().Count());
    }

    [Fact]
    public void UpdateFlagsAreEnforcedWithClearErrors()
    {
        Kernel.RequireRoot();
        using var map = Create<uint, ulong>(MapType.Hash, 2);
        var counts = new HashMap<uint, ulong>(map);
        counts.Update(7, 1, UpdateFlags.NoExist);
        var exists = Assert.Throws<BpfException>(() => counts.Update(7, 2, UpdateFlags.NoExist));
        Assert.Equal(17, exists.Errno);
        Assert.Contains("already has key 7", exists.Message);
        var absent = Assert.Throws<KeyNotFoundException>(() => counts.Update(8, 2, UpdateFlags.Exist));
        Assert.Contains("no key 8", absent.Message);
        counts.Update(7, 3, UpdateFlags.Exist);
        Assert.Equal(3ul, counts[7]);

        counts[8] = 1;
        var full = Assert.Throws<BpfException>(() => counts[9] = 1);
        Assert.Equal(7, full.Errno); // E2BIG
        Assert.Contains("full", full.Message);
        Assert.Equal("BPF_MAP_UPDATE_ELEM", full.Operation);
        Assert.Equal("t_hash", full.ObjectName);
    }

    [Fact]
    public void ArrayMapHasEveryIndexAndRefusesDelete()
    {
        Kernel.RequireRoot();
        using var map = Create<uint, FlowStats>(MapType.Array, 8);
        var array = new ArrayMap<FlowStats>(map);
        Assert.Equal(8, array.Keys.Count());
        Assert.Equal(0ul, array[5].Packets);
        array[5] = new FlowStats { Packets = 55 };
        Assert.Equal(55ul, array[5].Packets);
        var delete = Assert.Throws<BpfException>(() => array.Delete(5));
        Assert.Contains("cannot be deleted", delete.Message);
        var outside = Assert.Throws<BpfException>(() => array[8] = default);
        Assert.Contains("max_entries", outside.Message);
    }

    [Fact]
    public void LruHashMapEvictsInsteadOfFailing()
    {
        Kernel.RequireRoot();
        using var map = Create<ulong, ulong>(MapType.LruHash, 64);
        var lru = new LruHashMap<ulong, ulong>(map);
        for (ulong i = 0; i < 1000; i++)
            lru[i] = i * 2;
        var count = lru.Keys.Count();
        Assert.InRange(count, 1, 64);
        Assert.Equal(999ul * 2, lru[999]); // the newest entry survives
    }

    [Fact]
    public void LpmTrieFindsTheLongestPrefix()
    {
        Kernel.RequireRoot();
        using var map = Create<LpmKey, uint>(MapType.LpmTrie, 16, flags: 1 /* BPF_F_NO_PREALLOC, required */);
        var routes = new LpmTrieMap<LpmKey, uint>(map);
        routes.Update(new LpmKey { PrefixLength = 8, Address = Ip(10, 0, 0, 0) }, 8);
        routes.Update(new LpmKey { PrefixLength = 16, Address = Ip(10, 1, 0, 0) }, 16);
        Assert.Equal(16u, routes.Lookup(new LpmKey { PrefixLength = 32, Address = Ip(10, 1, 2, 3) }));
        Assert.Equal(8u, routes.Lookup(new LpmKey { PrefixLength = 32, Address = Ip(10, 2, 2, 3) }));
        Assert.False(routes.TryLookup(new LpmKey { PrefixLength = 32, Address = Ip(192, 168, 0, 1) }, out _));
    }

    private static uint Ip(byte a, byte b, byte c, byte d) => BitConverter.ToUInt32([a, b, c, d]);

    [Fact]
    public void PerCpuMapsHoldOneValuePerPossibleCpu()
    {
        Kernel.RequireRoot();
        var possible = SysfsCpus.Possible.Count; // parsed by the test itself, not by the runtime's CpuList
        using var hashMap = Create<uint, Triple>(MapType.PerCpuHash, 4);
        var hash = new PerCpuHashMap<uint, Triple>(hashMap);
        Assert.Equal(possible, hash.CpuCount);
        Assert.Equal(((12 + 7) & ~7) * possible, hashMap.ValueBufferSize);
        var values = Enumerable.Range(0, possible).Select(c => new Triple { A = (uint)c, B = 100u + (uint)c, C = 0xdeadbeef }).ToArray();
        hash.Update(1, values);
        Assert.Equal(values, hash.Lookup(1));
        Span<Triple> buffer = stackalloc Triple[possible];
        Assert.True(hash.TryLookup(1, buffer));
        Assert.Equal(values, buffer.ToArray());
        Assert.False(hash.TryLookup(2, buffer));
        Assert.True(hash.TryDelete(1));

        using var arrayMap = Create<uint, ulong>(MapType.PerCpuArray, 4);
        var array = new PerCpuArrayMap<ulong>(arrayMap);
        array.Update(3, 42ul);
        Assert.All(array.Lookup(3), v => Assert.Equal(42ul, v));
        Assert.All(array.Lookup(0), v => Assert.Equal(0ul, v));

        using var lruMap = Create<uint, uint>(MapType.LruPerCpuHash, 8);
        var lru = new LruPerCpuHashMap<uint, uint>(lruMap);
        var small = Enumerable.Range(0, possible).Select(c => (uint)c * 3).ToArray();
        lru.Update(5, small);
        Assert.Equal(small, lru.Lookup(5));
        Assert.Equal([5u], lru.Keys.ToArray());
        Assert.Throws<ArgumentException>(() => lru.Update(5, small.AsSpan(0, possible - 1)));
    }

    [Fact]
    public void UntypedOperationsCheckSizes()
    {
        Kernel.RequireRoot();
        using var map = Create<uint, ulong>(MapType.Hash, 4);
        var key = BitConverter.GetBytes(5u);
        map.Update(key, BitConverter.GetBytes(77ul));
        var value = new byte[8];
        map.Lookup(key, value);
        Assert.Equal(77ul, BitConverter.ToUInt64(value));
        var next = new byte[4];
        Assert.True(map.TryGetNextKey([], next));
        Assert.Equal(key, next);
        Assert.False(map.TryGetNextKey(next, new byte[4]));
        Assert.Throws<ArgumentException>(() => map.Update(new byte[3], value));
        Assert.Throws<ArgumentException>(() => map.Update(key, new byte[4]));
        Assert.Equal(map.Id, map.ReadInfo().Id);
        Assert.NotEqual(0u, map.Id);
    }
}

/// <summary>Queue and stack maps (no keys) through the untyped map: push with Update, peek with Lookup, pop with TryLookupAndDelete.</summary>
public sealed class MapsQueueTests
{
    [Theory]
    [InlineData(MapType.Queue, new ulong[] { 1, 2, 3 })]
    [InlineData(MapType.Stack, new ulong[] { 3, 2, 1 })]
    public void PushPeekPop(MapType type, ulong[] popOrder)
    {
        Kernel.RequireRoot();
        using var map = BpfMap.Create(new MapSpec("t_" + type.ToString().ToLowerInvariant(), type, 0, 8, 4));
        foreach (var v in new ulong[] { 1, 2, 3 })
            map.Update([], BitConverter.GetBytes(v));
        var value = new byte[8];
        Assert.True(map.TryLookup([], value));
        Assert.Equal(popOrder[0], BitConverter.ToUInt64(value));
        foreach (var expected in popOrder)
        {
            Assert.True(map.TryLookupAndDelete([], value));
            Assert.Equal(expected, BitConverter.ToUInt64(value));
        }
        Assert.False(map.TryLookupAndDelete([], value));
    }
}
