using Ebpf.Maps;
using Ebpf.Object;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>Map operations on the hot path allocate nothing (measured with the thread's allocation counter).</summary>
public sealed class MapsAllocationTests
{
    private struct Value
    {
        public ulong A, B, C;
    }

    /// <summary>12 bytes: per-CPU values of this size are repacked to the kernel's 8-byte stride.</summary>
    private struct Twelve
    {
        public uint A, B, C;
    }

    [Fact]
    public void LookupUpdateDeleteAllocateNothing()
    {
        Kernel.RequireRoot();
        using var hashMap = BpfMap.Create(new MapSpec("t_alloc", MapType.Hash, 8, 24, 1024));
        using var perCpuMap = BpfMap.Create(new MapSpec("t_alloc_pc", MapType.PerCpuArray, 4, 12, 4));
        var hash = new HashMap<ulong, Value>(hashMap);
        var perCpu = new PerCpuArrayMap<Twelve>(perCpuMap);
        Span<Twelve> values = stackalloc Twelve[perCpu.CpuCount];
        values.Fill(new Twelve { A = 1, B = 2, C = 3 });
        Run(hash, perCpu, values); // warm up (JIT, lazy CPU count, handles)
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(hash, perCpu, values);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);

        static void Run(HashMap<ulong, Value> hash, PerCpuArrayMap<Twelve> perCpu, Span<Twelve> values)
        {
            for (ulong i = 0; i < 1000; i++)
            {
                hash.Update(i, new Value { A = i, B = ~i, C = i * 3 });
                if (!hash.TryLookup(i, out var v) || v.A != i)
                    Assert.Fail("lookup lost the value");
                hash.TryDelete(i);
                perCpu.Update((uint)(i & 3), values);
                perCpu.TryLookup((uint)(i & 3), values);
            }
        }
    }
}
