using Ebpf.Maps;
using Ebpf.Object;

namespace Ebpf.Runtime.Tests;

/// <summary>What the typed views check before any kernel call (no root needed).</summary>
public sealed class MapsViewTests
{
    private static BpfMap Uncreated(MapType type, uint key, uint value, uint max = 16) => new(new MapSpec("v_map", type, key, value, max));

    [Fact]
    public void ViewsRefuseMismatchedSizesNamingBothSides()
    {
        var map = Uncreated(MapType.Hash, 8, 16);
        var key = Assert.Throws<ArgumentException>(() => new HashMap<uint, Guid>(map));
        Assert.Contains("8-byte keys", key.Message);
        Assert.Contains("UInt32 is 4 bytes", key.Message);
        var value = Assert.Throws<ArgumentException>(() => new HashMap<ulong, ulong>(map));
        Assert.Contains("16-byte values", value.Message);
        _ = new HashMap<ulong, Guid>(map);
    }

    [Fact]
    public void ViewsRefuseTheWrongKindOfMap()
    {
        var e = Assert.Throws<ArgumentException>(() => new ArrayMap<ulong>(Uncreated(MapType.Hash, 4, 8)));
        Assert.Contains("is a Hash map", e.Message);
        Assert.Contains("ArrayMap serves Array", e.Message);
        Assert.Throws<ArgumentException>(() => new PerCpuArrayMap<ulong>(Uncreated(MapType.Array, 4, 8)));
        Assert.Throws<ArgumentException>(() => new SockMap(Uncreated(MapType.SockHash, 4, 4)));
        _ = new RingBufMap(Uncreated(MapType.RingBuf, 0, 0, 4096));
    }

    [Fact]
    public void DefinitionIsSettableUntilCreatedAndOperationsNeedAKernelMap()
    {
        var map = Uncreated(MapType.Hash, 4, 4);
        var view = new HashMap<uint, uint>(map);
        view.MaxEntries = 1024;
        map.Flags = 1;
        Assert.Equal(1024u, map.Spec.MaxEntries);
        Assert.Equal(1u, map.Spec.Flags);
        Assert.False(map.IsCreated);
        var e = Assert.Throws<InvalidOperationException>(() => view.Lookup(1));
        Assert.Contains("Load()", e.Message);
        Assert.Throws<InvalidOperationException>(() => map.Fd);
    }

    [Fact]
    public void PossibleCpuListsAreCounted()
    {
        Assert.Single(Internal.CpuList.Parse("0\n"));
        Assert.Equal(4, Internal.CpuList.Parse("0-3\n").Count);
        Assert.Equal(5, Internal.CpuList.Parse("0,2-5").Count);
        Assert.Throws<FormatException>(() => Internal.CpuList.Parse("x").Count);
    }

    [Fact]
    public void RingBufferSizesRoundToPageAlignedPowersOfTwo()
    {
        var page = (uint)Environment.SystemPageSize;
        Assert.Equal(page, MapCreator.RingBufSize(0));
        Assert.Equal(page, MapCreator.RingBufSize(page));
        Assert.Equal(page * 2, MapCreator.RingBufSize(page + 1));
        Assert.Equal(256u * 1024, MapCreator.RingBufSize(200 * 1024));
    }
}
