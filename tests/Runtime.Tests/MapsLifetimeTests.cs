using Ebpf.Internal;
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
        using var fd = MapSyscalls.GetFdById(id, out _);
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
