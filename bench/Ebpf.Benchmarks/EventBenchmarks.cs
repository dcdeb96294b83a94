using System.Diagnostics;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Ebpf;
using Ebpf.Events;
using Ebpf.Internal;
using Ebpf.Maps;
using Ebpf.Programs;

namespace Ebpf.Benchmarks;

/// <summary>
/// Draining a full 16 MiB BPF ring buffer (696,320 records of 16 bytes) with <see cref="RingBufReader.Consume"/>;
/// Native/ringbuf_consume.c does the same with libbpf's ring_buffer__consume (figures in docs/benchmarks.md).
/// Before each iteration the producer (tests/bpf/ev_ringbuf.bpf.c, run with BPF_PROG_TEST_RUN) fills the ring.
/// Needs root and clang.
/// </summary>
[InvocationCount(1)]
[IterationCount(10)]
[WarmupCount(2)]
public unsafe class EventBenchmarks
{
    private const int Runs = 170, PerRun = 4096;
    private BpfObject obj = null!;
    private RingBufReader reader = null!;
    private BpfProgram producer = null!;
    private long sum;

    [GlobalSetup]
    public void Setup()
    {
        obj = BpfObject.OpenFile(CompileProducer());
        obj.GetMap("ev_ring").MaxEntries = 1u << 24;
        obj.Load();
        producer = obj.GetProgram<RawTracepointProgram>("ev_ring_produce");
        reader = new RingBufMap(obj.GetMap("ev_ring")).OpenReader();
    }

    [IterationSetup]
    public void Fill()
    {
        var args = stackalloc ulong[3];
        for (var r = 0; r < Runs; r++)
        {
            args[0] = (ulong)(r * PerRun);
            args[1] = PerRun;
            var attr = new TestRunAttr { ProgFd = producer.Handle.Value, CtxIn = (ulong)args, CtxSizeIn = 24, Flags = 1, Cpu = 0 };
            if (Sys.ProgTestRun(ref attr) is var errno and not 0)
                throw new InvalidOperationException($"test run failed: errno {errno}");
        }
    }

    [Benchmark(OperationsPerInvoke = Runs * PerRun)]
    public int Consume()
    {
        var n = reader.Consume(record => sum += MemoryMarshal.Read<long>(record));
        if (n != Runs * PerRun)
            throw new InvalidOperationException($"drained {n} records, expected {Runs * PerRun}");
        return n;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        reader.Dispose();
        obj.Dispose();
    }

    private static string CompileProducer()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Ebpf.slnx")))
            dir = Path.GetDirectoryName(dir);
        var source = Path.Combine(dir ?? throw new InvalidOperationException("repository root (Ebpf.slnx) not found"), "tests", "bpf", "ev_ringbuf.bpf.c");
        var output = Path.Combine(Path.GetTempPath(), $"ev_ringbuf-bench-{Environment.ProcessId}.o");
        var psi = new ProcessStartInfo("clang") { RedirectStandardError = true };
        foreach (var a in new[] { "-target", "bpfel", "-g", "-O2", "-I", "/usr/include/x86_64-linux-gnu", "-c", source, "-o", output })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? output : throw new InvalidOperationException($"clang failed: {err}");
    }
}
