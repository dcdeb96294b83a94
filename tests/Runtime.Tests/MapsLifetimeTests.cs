using Ebpf.Internal;
using Ebpf.Maps;
using Ebpf.Object;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>Disposing a map releases it in the kernel; a map that is never disposed is released by its finalizer.</summary>
public sealed class MapsLifetimeTests
{
    [Fact]
    public void DisposedAndLeakedMapsAreFreed()
    {
        Kernel.RequireRoot();
        var disposed = BpfMap.Create(new MapSpec("t_disposed", MapType.Array, 4, 8, 1));
        var disposedId = disposed.Id;
        Assert.True(Exists(disposedId));
        disposed.Dispose();
        Assert.True(EventuallyGone(disposedId), $"map {disposedId} still exists after Dispose");
        // A disposed map refuses operations instead of using a descriptor number the process may have reused.
        Assert.Throws<ObjectDisposedException>(() => new ArrayMap<ulong>(disposed).Lookup(0));

        var leakedId = CreateAndForget();
        Assert.True(Exists(leakedId));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.True(EventuallyGone(leakedId), $"map {leakedId} still exists after its BpfMap was collected");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static uint CreateAndForget() => BpfMap.Create(new MapSpec("t_leaked", MapType.Array, 4, 8, 1)).Id;

    private static bool Exists(uint id)
    {
        using var fd = Sys.MapGetFdById(id, out _);
        return fd is not null;
    }

    // The kernel frees a map after an RCU grace period, so "gone" is polled for a short while.
    private static bool EventuallyGone(uint id)
    {
        for (var i = 0; i < 200; i++)
        {
            if (!Exists(id))
                return true;
            Thread.Sleep(10);
        }
        return false;
    }
}

/// <summary>Maps pinned in bpffs outlive the process that made them and can be opened again by path.</summary>
public sealed class MapsPinTests
{
    [Fact]
    public void PinnedMapIsOpenedWithItsDefinitionAndContents()
    {
        Kernel.RequireRoot();
        using var fs = new BpfFs("maps");
        var path = Path.Combine(fs.Path, "counts");
        uint id;
        using (var map = BpfMap.Create(new MapSpec("t_pinned", MapType.Hash, 4, 8, 32)))
        {
            new HashMap<uint, ulong>(map)[7] = 70;
            map.Pin(path);
            id = map.Id;
            var again = Assert.Throws<BpfException>(() => map.Pin(path));
            Assert.Contains("already exists", again.Message);
        }
        using var opened = BpfMap.OpenPinned(path);
        Assert.Equal(id, opened.Id);
        Assert.Equal((MapType.Hash, 4u, 8u, 32u), (opened.Type, opened.KeySize, opened.ValueSize, opened.MaxEntries));
        Assert.Equal(70ul, new HashMap<uint, ulong>(opened)[7]);

        var missing = Assert.Throws<BpfException>(() => BpfMap.OpenPinned(Path.Combine(fs.Path, "nothing")));
        Assert.Contains("nothing is pinned there", missing.Message);
    }
}
