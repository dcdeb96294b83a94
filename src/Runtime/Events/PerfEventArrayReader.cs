using System.Runtime.InteropServices;
using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Maps;

namespace Ebpf.Events;

/// <summary>
/// Consumes a BPF_MAP_TYPE_PERF_EVENT_ARRAY like libbpf's perf_buffer: one PERF_COUNT_SW_BPF_OUTPUT event and
/// ring per online CPU, stored in the map slot of that CPU (so bpf_perf_event_output with BPF_F_CURRENT_CPU
/// reaches it). Samples come in order per CPU; when a CPU's ring is full the kernel drops samples and later
/// reports how many in a loss record, counted in <see cref="LostSamples"/>. One consumer at a time.
/// </summary>
public sealed class PerfEventArrayReader : IDisposable
{
    private readonly BpfMap map;
    private readonly List<PerfRing> rings = new();
    private readonly Epoll epoll = new();
    private ulong lost;
    private readonly SingleConsumer oneConsumer;

    /// <summary>
    /// Opens a ring of <paramref name="pagesPerCpu"/> pages (a power of two) for every online CPU and stores the
    /// events in <paramref name="map"/>'s slots. The map must be loaded and have a slot per CPU.
    /// </summary>
    internal PerfEventArrayReader(BpfMap map, int pagesPerCpu = 8)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Type != Ebpf.Object.MapType.PerfEventArray)
            throw new ArgumentException($"map '{map.Name}' is a {map.Type} map; PerfEventArrayReader reads BPF_MAP_TYPE_PERF_EVENT_ARRAY maps", nameof(map));
        if (!map.IsCreated)
            throw new InvalidOperationException($"map '{map.Name}' has not been created yet: call BpfObject.Load() before reading it");
        if (pagesPerCpu < 1 || (pagesPerCpu & (pagesPerCpu - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(pagesPerCpu), pagesPerCpu, "the perf ring size in pages must be a power of two");
        this.map = map;
        oneConsumer = new SingleConsumer(this, $"perf event array '{map.Name}'");
        try
        {
            foreach (var cpu in CpuList.Online())
            {
                if (cpu >= map.MaxEntries)
                    throw new InvalidOperationException($"perf event array '{map.Name}' has {map.MaxEntries} slots but CPU {cpu} is online; leave max_entries 0 (one slot per possible CPU)");
                var ring = new PerfRing(cpu, pagesPerCpu, map.Name);
                rings.Add(ring);
                map.Update(BitConverter.GetBytes((uint)cpu), BitConverter.GetBytes(ring.Event.Value));
                if (!PerfEventOpen.Enable(ring.Event, out var errno))
                    throw new IOException($"enabling the perf event of CPU {cpu} for map '{map.Name}' failed: {Errno.Describe(errno)}");
                epoll.Add(ring.Event, (ulong)(rings.Count - 1));
            }
        }
        catch
        {
            Release();
            throw;
        }
    }

    /// <summary>Samples the kernel dropped because a ring was full, as reported so far by loss records.</summary>
    public ulong LostSamples => Volatile.Read(ref lost);

    /// <summary>
    /// Hands out every available sample (and loss report), waiting up to <paramref name="timeout"/> for the first
    /// (<see cref="Timeout.InfiniteTimeSpan"/>: until one arrives). Returns the number of samples.
    /// </summary>
    public int Poll(PerfSampleHandler onSample, PerfLostHandler? onLost, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(onSample);
        oneConsumer.Enter();
        try
        {
            var n = ConsumeLocked(onSample, onLost, int.MaxValue);
            if (n > 0)
                return n;
            var ms = timeout == Timeout.InfiniteTimeSpan ? -1 : (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue);
            Span<ulong> ready = stackalloc ulong[8];
            epoll.Wait(ready, ms);
            return ConsumeLocked(onSample, onLost, int.MaxValue);
        }
        finally
        {
            oneConsumer.Exit();
        }
    }

    /// <summary>Hands out every available sample and loss report without waiting. Returns the number of samples.</summary>
    public int Consume(PerfSampleHandler onSample, PerfLostHandler? onLost = null)
    {
        ArgumentNullException.ThrowIfNull(onSample);
        oneConsumer.Enter();
        try
        {
            return ConsumeLocked(onSample, onLost, int.MaxValue);
        }
        finally
        {
            oneConsumer.Exit();
        }
    }

    /// <summary>
    /// Every sample as a <typeparamref name="T"/> with its CPU until <paramref name="cancellationToken"/> is cancelled
    /// (which ends the sequence with an <see cref="OperationCanceledException"/>). Losses are counted in <see cref="LostSamples"/>.
    /// </summary>
    public IAsyncEnumerable<PerfSample<T>> ReadAllAsync<T>(CancellationToken cancellationToken = default) where T : unmanaged =>
        EpollBatches.ReadAllAsync<PerfSample<T>>(epoll, Drain, WaitForData, cancellationToken);

    private unsafe void Drain<T>(List<PerfSample<T>> batch) where T : unmanaged
    {
        oneConsumer.Enter();
        try
        {
            ConsumeLocked((cpu, sample) =>
            {
                if (sample.Length < sizeof(T))
                    throw new InvalidDataException($"perf event array '{map.Name}' delivered a sample of {sample.Length} bytes on CPU {cpu}, shorter than {typeof(T).Name} ({sizeof(T)} bytes): the program and the C# type disagree");
                batch.Add(new PerfSample<T>(cpu, MemoryMarshal.Read<T>(sample)));
            }, null, 4096);
        }
        finally
        {
            oneConsumer.Exit();
        }
    }

    private void WaitForData()
    {
        oneConsumer.Enter();
        try
        {
            if (rings.Any(r => r.HasData))
                return;
            Span<ulong> ready = stackalloc ulong[8];
            epoll.Wait(ready, -1);
        }
        finally
        {
            oneConsumer.Exit();
        }
    }

    private int ConsumeLocked(PerfSampleHandler onSample, PerfLostHandler? onLost, int limit)
    {
        var total = 0;
        var lostNow = lost;
        foreach (var ring in rings)
            total += ring.Consume(onSample, onLost, ref lostNow, limit - total);
        Volatile.Write(ref lost, lostNow);
        return total;
    }

    /// <summary>Clears the map's slots, closes the events and unmaps the rings; stops waiting readers.</summary>
    public void Dispose()
    {
        if (!oneConsumer.Close(epoll))
            return;
        Release();
    }

    private void Release()
    {
        foreach (var ring in rings)
        {
            // the program must not write into a closed event: empty the slot first (the map may already be gone)
            try
            {
                if (map.IsCreated)
                    map.TryDelete(BitConverter.GetBytes((uint)ring.Cpu));
            }
            catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or BpfException)
            {
                // the map was closed before the reader: nothing can write into the events any more
            }
            ring.Dispose();
        }
        rings.Clear();
        epoll.Dispose();
    }
}
