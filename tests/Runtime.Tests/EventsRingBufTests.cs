using System.Diagnostics;
using System.Runtime.InteropServices;
using Ebpf.Events;
using Ebpf.Maps;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.Runtime.Tests.EventsSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// <see cref="RingBufReader"/> against the kernel: tests/bpf/ev_ringbuf.bpf.c, run with BPF_PROG_TEST_RUN on each
/// CPU in turn, produces numbered records; the reader must deliver every one, in order per CPU, through a ring
/// much smaller than the stream (so positions wrap many times).
/// </summary>
[Collection(KernelCollection.Name)]
public sealed class EventsRingBufTests
{
    private const string Source = "ev_ringbuf.bpf.c";
    private const int Chunk = 4096; // records per run of the program
    private const uint Magic = 0xfeedbeef;

    [StructLayout(LayoutKind.Sequential)]
    private struct EvRecord
    {
        public ulong Seq;
        public uint Cpu;
        public uint Magic;
    }

    private static int Cpus => Environment.ProcessorCount;

    [Fact]
    public async Task One_million_events_arrive_complete_and_in_order_per_cpu_through_ReadAllAsync()
    {
        Kernel.RequireRoot();
        const int Total = 1_000_000;
        using var obj = EventPrograms.Load(Source);
        var prog = obj.GetProgram<RawTracepointProgram>("ev_ring_produce");
        using var reader = new RingBufMap(obj.GetMap("ev_ring")).OpenReader();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromMinutes(2));

        var received = 0L;
        var nextSeq = new ulong[Cpus];
        string? error = null;
        var consumer = Task.Run(async () =>
        {
            await foreach (var r in reader.ReadAllAsync<EvRecord>(cts.Token))
            {
                if (r.Magic != Magic || r.Cpu >= Cpus || r.Seq != nextSeq[r.Cpu])
                {
                    error ??= $"record #{received}: seq {r.Seq} cpu {r.Cpu} magic {r.Magic:x}, expected seq {(r.Cpu < Cpus ? nextSeq[r.Cpu] : 0)}";
                    cts.Cancel();
                    break;
                }
                nextSeq[r.Cpu] = r.Seq + 1;
                if (Interlocked.Increment(ref received) == Total)
                    break;
            }
        }, TestContext.Current.CancellationToken);

        // Each CPU numbers its own records from 0; the producer stays at most 4 chunks (768 KiB) ahead of the
        // consumer so a 1 MiB ring never fills: any failed reservation is then a reader bug, not pacing.
        var produced = new ulong[Cpus];
        var sw = Stopwatch.StartNew();
        for (var sent = 0; sent < Total && !cts.IsCancellationRequested; )
        {
            while (sent - Interlocked.Read(ref received) > 3 * Chunk && !consumer.IsCompleted)
                await Task.Delay(1, TestContext.Current.CancellationToken);
            var cpu = (sent / Chunk) % Cpus;
            var n = Math.Min(Chunk, Total - sent);
            EventPrograms.Run(prog, [produced[cpu], (ulong)n, 0], cpu);
            produced[cpu] += (ulong)n;
            sent += n;
        }
        await consumer.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        sw.Stop();

        Assert.Null(error);
        Assert.Equal(0ul, EventPrograms.ReadU64(obj.GetMap("ev_ring_stats"), 0));
        Assert.Equal(Total, Interlocked.Read(ref received));
        Assert.Equal(produced, nextSeq);
        TestContext.Current.SendDiagnosticMessage($"ring buffer: {Total} events in {sw.Elapsed.TotalMilliseconds:F0} ms ({Total / sw.Elapsed.TotalSeconds:F0} events/s)");
    }

    [Fact]
    public void Poll_skips_discarded_records_and_hands_out_the_rest_in_order()
    {
        Kernel.RequireRoot();
        using var obj = EventPrograms.Load(Source);
        var prog = obj.GetProgram<RawTracepointProgram>("ev_ring_produce");
        using var reader = new RingBufMap(obj.GetMap("ev_ring")).OpenReader();

        EventPrograms.Run(prog, [0, 3000, 3], 0); // 3000 records, every third discarded
        var seqs = new List<ulong>();
        var total = 0;
        while (reader.Pending > 0)
            total += reader.Poll(r => seqs.Add(MemoryMarshal.Read<EvRecord>(r).Seq), TimeSpan.Zero);

        Assert.Equal(2000, total);
        Assert.Equal(1000ul, EventPrograms.ReadU64(obj.GetMap("ev_ring_stats"), 1));
        Assert.Equal(Enumerable.Range(0, 3000).Where(i => i % 3 != 0).Select(i => (ulong)i), seqs);
        Assert.Equal(0, reader.Poll(_ => { }, TimeSpan.Zero));
    }

    [Fact]
    public void Poll_on_an_empty_ring_waits_for_the_timeout_and_returns_zero()
    {
        Kernel.RequireRoot();
        using var obj = EventPrograms.Load(Source);
        using var reader = new RingBufMap(obj.GetMap("ev_ring")).OpenReader();
        var sw = Stopwatch.StartNew();
        Assert.Equal(0, reader.Poll(_ => Assert.Fail("no record was produced"), TimeSpan.FromMilliseconds(200)));
        Assert.InRange(sw.ElapsedMilliseconds, 150, 5000);
    }

    [Fact]
    public async Task Cancellation_ends_a_waiting_ReadAllAsync_promptly()
    {
        Kernel.RequireRoot();
        using var obj = EventPrograms.Load(Source);
        using var reader = new RingBufMap(obj.GetMap("ev_ring")).OpenReader();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var reading = Task.Run(async () =>
        {
            await foreach (var _ in reader.ReadAllAsync<EvRecord>(cts.Token))
                Assert.Fail("no record was produced");
        }, TestContext.Current.CancellationToken);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.False(reading.IsCompleted);
        var sw = Stopwatch.StartNew();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        Assert.InRange(sw.ElapsedMilliseconds, 0, 3000); // generous: the machine may be loaded; a missed wake-up would hang forever
        // the reader is usable again after a cancelled enumeration
        Assert.Equal(0, reader.Consume(_ => { }));
    }

    [Fact]
    public void A_second_concurrent_consumer_is_refused_with_a_clear_error()
    {
        Kernel.RequireRoot();
        using var obj = EventPrograms.Load(Source);
        var prog = obj.GetProgram<RawTracepointProgram>("ev_ring_produce");
        using var reader = new RingBufMap(obj.GetMap("ev_ring")).OpenReader();
        EventPrograms.Run(prog, [0, 1, 0], 0);
        var e = Assert.Throws<InvalidOperationException>(() => reader.Consume(_ => reader.Consume(_ => { })));
        Assert.Contains("one consumer", e.Message);
    }
}
