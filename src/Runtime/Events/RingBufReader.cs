using System.Runtime.InteropServices;
using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Maps;

namespace Ebpf.Events;

/// <summary>
/// Consumes a BPF_MAP_TYPE_RINGBUF map from user space, like libbpf's ring_buffer__poll: records in the order the
/// kernel committed them, across all CPUs. Records still being written stop the scan (the kernel finishes them
/// in order); discarded ones are skipped. One consumer at a time: the reader owns the consumer position.
/// </summary>
public sealed unsafe class RingBufReader : IDisposable
{
    private readonly BpfFd map;
    private readonly string name;
    private readonly MemoryMapping consumerPage;
    private readonly MemoryMapping producerPages;
    private readonly long mask;
    private readonly Epoll epoll = new();
    private readonly SingleConsumer oneConsumer;

    /// <summary>
    /// Reads the ring of a loaded BPF_MAP_TYPE_RINGBUF map. The reader maps the ring's memory and must be disposed
    /// before the map's object; it does not own the map.
    /// </summary>
    internal RingBufReader(BpfMap map)
        : this(RequireRingBuf(map).Handle, map.MaxEntries, map.Name)
    {
    }

    private static BpfMap RequireRingBuf(BpfMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Type != Ebpf.Object.MapType.RingBuf)
            throw new ArgumentException($"map '{map.Name}' is a {map.Type} map; RingBufReader reads BPF_MAP_TYPE_RINGBUF maps", nameof(map));
        if (!map.IsCreated)
            throw new InvalidOperationException($"map '{map.Name}' has not been created yet: call BpfObject.Load() before reading its ring buffer");
        return map;
    }

    /// <summary>
    /// Maps the ring of map <paramref name="name"/> (descriptor <paramref name="map"/>, data size
    /// <paramref name="size"/> bytes = the map's max_entries, a power of two and a multiple of the page size).
    /// The loader's typed view calls this; the reader does not own the map descriptor.
    /// </summary>
    internal RingBufReader(BpfFd map, uint size, string name)
    {
        this.map = map;
        this.name = name;
        oneConsumer = new SingleConsumer(this, $"ring buffer '{name}'");
        var page = Environment.SystemPageSize;
        if (size == 0 || (size & (size - 1)) != 0 || size % page != 0)
            throw new ArgumentException($"ring buffer map '{name}' has size {size}; a ring buffer's max_entries must be a power of two and a multiple of the page size ({page})", nameof(size));
        mask = size - 1;
        consumerPage = MemoryMapping.Map(map, (nuint)page, writable: true, 0, out var errno)
            ?? throw new IOException($"mmap of ring buffer '{name}' consumer page failed: {Errno.Describe(errno)}{Hint(errno)}");
        // producer page + the data area twice, read-only: the kernel refuses writable mappings of these
        producerPages = MemoryMapping.Map(map, (nuint)page + 2 * (nuint)size, writable: false, page, out errno)
            ?? throw new IOException($"mmap of ring buffer '{name}' data ({2L * size} bytes) failed: {Errno.Describe(errno)}{Hint(errno)}");
        epoll.Add(map, 0);
        Size = size;
    }

    /// <summary>The ring's data size in bytes.</summary>
    public uint Size { get; }

    /// <summary>Bytes the kernel has committed that this reader has not consumed yet.</summary>
    public long Pending => Volatile.Read(ref *ProducerPosition) - Volatile.Read(ref *ConsumerPosition);

    private long* ConsumerPosition => (long*)consumerPage.Pointer;
    private long* ProducerPosition => (long*)producerPages.Pointer;
    private byte* Data => producerPages.Pointer + Environment.SystemPageSize;

    /// <summary>
    /// Hands every available record to <paramref name="handler"/>, waiting up to <paramref name="timeout"/> for the
    /// first one (<see cref="Timeout.InfiniteTimeSpan"/>: until a record arrives). Returns the number of records.
    /// </summary>
    public int Poll(RingBufRecordHandler handler, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(handler);
        oneConsumer.Enter();
        try
        {
            var n = ConsumeLocked(handler, int.MaxValue);
            if (n > 0)
                return n;
            var ms = timeout == Timeout.InfiniteTimeSpan ? -1 : (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue);
            Span<ulong> ready = stackalloc ulong[2];
            epoll.Wait(ready, ms);
            return ConsumeLocked(handler, int.MaxValue);
        }
        finally
        {
            oneConsumer.Exit();
        }
    }

    /// <summary>Hands every available record to <paramref name="handler"/> without waiting. Returns the number of records.</summary>
    public int Consume(RingBufRecordHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        oneConsumer.Enter();
        try
        {
            return ConsumeLocked(handler, int.MaxValue);
        }
        finally
        {
            oneConsumer.Exit();
        }
    }

    /// <summary>
    /// Every record as a <typeparamref name="T"/> (the first sizeof(T) bytes; a shorter record is an error), until
    /// <paramref name="cancellationToken"/> is cancelled, which ends the sequence with an <see cref="OperationCanceledException"/>.
    /// Waiting happens on a thread-pool thread blocked in epoll_wait, woken at once by cancellation.
    /// </summary>
    public IAsyncEnumerable<T> ReadAllAsync<T>(CancellationToken cancellationToken = default) where T : unmanaged =>
        EpollBatches.ReadAllAsync<T>(epoll, Drain, WaitForData, cancellationToken);

    private void Drain<T>(List<T> batch) where T : unmanaged
    {
        oneConsumer.Enter();
        try
        {
            ConsumeLocked(record =>
            {
                if (record.Length < sizeof(T))
                    throw new InvalidDataException($"ring buffer '{name}' delivered a record of {record.Length} bytes, shorter than {typeof(T).Name} ({sizeof(T)} bytes): the program and the C# type disagree");
                batch.Add(MemoryMarshal.Read<T>(record));
            }, 4096);
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
            if (Pending > 0)
                return;
            Span<ulong> ready = stackalloc ulong[2];
            epoll.Wait(ready, -1);
        }
        finally
        {
            oneConsumer.Exit();
        }
    }

    private int ConsumeLocked(RingBufRecordHandler handler, int limit)
    {
        oneConsumer.ThrowIfClosed();
        var count = 0;
        var consumer = Volatile.Read(ref *ConsumerPosition);
        try
        {
            while (count < limit)
            {
                // acquire: the header and data written before the producer position moved are visible
                var producer = Volatile.Read(ref *ProducerPosition);
                if (consumer >= producer)
                    break;
                while (consumer < producer && count < limit)
                {
                    var header = Data + (consumer & mask);
                    var length = Volatile.Read(ref *(uint*)header);
                    if ((length & RingBufLayout.BusyBit) != 0)
                        return count; // still being written; records after it wait for it
                    var dataLength = length & ~(RingBufLayout.BusyBit | RingBufLayout.DiscardBit);
                    if ((length & RingBufLayout.DiscardBit) == 0)
                    {
                        // the data area is mapped twice, so a record that wraps is contiguous here
                        handler(new ReadOnlySpan<byte>(header + RingBufLayout.HeaderSize, (int)dataLength));
                        count++;
                    }
                    consumer += RingBufLayout.RecordSpan(dataLength);
                    // release: the kernel may reuse the space only after we are done reading it
                    Volatile.Write(ref *ConsumerPosition, consumer);
                }
            }
            return count;
        }
        finally
        {
            GC.KeepAlive(this);
        }
    }

    private static string Hint(int errno) => errno == Errno.EPERM
        ? "; mapping a ring buffer needs CAP_BPF (or root)"
        : "";

    /// <summary>Unmaps the ring and stops waiting readers. The map itself belongs to its object.</summary>
    public void Dispose()
    {
        if (!oneConsumer.Close(epoll))
            return;
        producerPages.Dispose();
        consumerPage.Dispose();
        epoll.Dispose();
        GC.KeepAlive(map);
    }
}
