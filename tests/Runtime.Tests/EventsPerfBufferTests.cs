using System.Runtime.InteropServices;
using Ebpf.Events;
using Ebpf.Maps;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.Runtime.Tests.EventsSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// <see cref="PerfEventArrayReader"/> against the kernel: tests/bpf/ev_perf.bpf.c writes numbered samples with
/// bpf_perf_event_output on the CPU the test chooses; every sample must arrive in order per CPU, and when the
/// consumer pauses, the loss records must account for exactly the samples the program failed to write.
/// </summary>
[Collection(KernelCollection.Name)]
public sealed class EventsPerfBufferTests
{
    private const string Source = "ev_perf.bpf.c";
    private const uint Magic = 0xfeedbeef;

    [StructLayout(LayoutKind.Sequential)]
    private struct EvSample
    {
        public ulong Seq;
        public uint Cpu;
        public uint Magic;
    }

    private static int Cpus => Environment.ProcessorCount;

    [Fact]
    public async Task Samples_from_every_cpu_arrive_complete_and_in_order_through_ReadAllAsync()
    {
        Kernel.RequireRoot();
        const int Chunk = 1024, Total = 200 * Chunk;
        using var obj = EventPrograms.Load(Source);
        var prog = obj.GetProgram<RawTracepointProgram>("ev_perf_produce");
        // 64 pages per CPU hold about 8,000 samples of 32 bytes; the producer stays within 3 chunks of the consumer
        using var reader = new PerfEventArrayMap(obj.GetMap("ev_perf")).OpenReader(pagesPerCpu: 64);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromMinutes(2));

        var received = 0L;
        var nextSeq = new ulong[Cpus];
        string? error = null;
        var consumer = Task.Run(async () =>
        {
            await foreach (var s in reader.ReadAllAsync<EvSample>(cts.Token))
            {
                var v = s.Value;
                if (v.Magic != Magic || v.Cpu != s.Cpu || v.Seq != nextSeq[s.Cpu])
                {
                    error ??= $"sample #{received}: seq {v.Seq} cpu {v.Cpu} (ring of CPU {s.Cpu}) magic {v.Magic:x}, expected seq {nextSeq[s.Cpu]}";
                    break;
                }
                nextSeq[s.Cpu] = v.Seq + 1;
                if (Interlocked.Increment(ref received) == Total)
                    break;
            }
        }, TestContext.Current.CancellationToken);

        var produced = new ulong[Cpus];
        for (var sent = 0; sent < Total && error is null; sent += Chunk)
        {
            while (sent - Interlocked.Read(ref received) > 3 * Chunk && !consumer.IsCompleted)
                await Task.Delay(1, TestContext.Current.CancellationToken);
            var cpu = (sent / Chunk) % Cpus;
            EventPrograms.Run(prog, [produced[cpu], Chunk], cpu);
            produced[cpu] += Chunk;
        }
        await consumer.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

        Assert.Null(error);
        Assert.Equal(0ul, EventPrograms.ReadU64(obj.GetMap("ev_perf_stats"), 0));
        Assert.Equal(0ul, reader.LostSamples);
        Assert.Equal(Total, Interlocked.Read(ref received));
        Assert.Equal(produced, nextSeq);
    }

    [Fact]
    public void A_paused_consumer_gets_loss_records_that_account_for_every_dropped_sample()
    {
        Kernel.RequireRoot();
        using var obj = EventPrograms.Load(Source);
        var prog = obj.GetProgram<RawTracepointProgram>("ev_perf_produce");
        using var reader = new PerfEventArrayMap(obj.GetMap("ev_perf")).OpenReader(pagesPerCpu: 1);

        // one 4 KiB ring holds about 128 samples; 4,000 written while nobody reads must mostly be dropped
        EventPrograms.Run(prog, [0, 4000], 0);
        var seqs = new List<ulong>();
        ulong lostReported = 0;
        reader.Consume((cpu, s) => seqs.Add(MemoryMarshal.Read<EvSample>(s).Seq), (cpu, n) => lostReported += n);
        // the kernel reports a loss with the next sample that fits, so write one more after draining
        EventPrograms.Run(prog, [4000, 1], 0);
        reader.Poll((cpu, s) => seqs.Add(MemoryMarshal.Read<EvSample>(s).Seq), (cpu, n) => lostReported += n, TimeSpan.FromSeconds(5));

        var failed = EventPrograms.ReadU64(obj.GetMap("ev_perf_stats"), 0);
        Assert.True(failed > 3000, $"only {failed} samples were dropped; the ring should have overflowed");
        Assert.Equal(failed, lostReported);
        Assert.Equal(failed, reader.LostSamples);
        Assert.Equal(4001ul, (ulong)seqs.Count + lostReported);
        Assert.Equal(seqs.Order(), seqs);           // the ones that arrived are in order
        Assert.Equal(4000ul, seqs[^1]);             // including the one written after the pause
    }

    [Fact]
    public async Task Cancellation_ends_a_waiting_ReadAllAsync_promptly_and_dispose_clears_the_slots()
    {
        Kernel.RequireRoot();
        using var obj = EventPrograms.Load(Source);
        var map = obj.GetMap("ev_perf");
        var reader = new PerfEventArrayMap(map).OpenReader();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var reading = Task.Run(async () =>
        {
            await foreach (var _ in reader.ReadAllAsync<EvSample>(cts.Token))
                Assert.Fail("no sample was produced");
        }, TestContext.Current.CancellationToken);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.False(reading.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));

        reader.Dispose();
        // with the slots empty, the program's output fails instead of writing into a closed event
        EventPrograms.Run(obj.GetProgram<RawTracepointProgram>("ev_perf_produce"), [0, 5], 0);
        Assert.Equal(5ul, EventPrograms.ReadU64(obj.GetMap("ev_perf_stats"), 0));
    }
}
