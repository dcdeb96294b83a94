using Ebpf.Internal;
using Ebpf.Links;

namespace Ebpf.Events;

/// <summary>
/// One CPU's perf ring: the metadata page (the kernel advances data_head, we advance data_tail) followed by a
/// power-of-two number of data pages. Unlike the BPF ring buffer the data area is mapped once, so a record that
/// wraps around the end is copied into a scratch buffer before it is handed out.
/// </summary>
internal sealed unsafe class PerfRing : IDisposable
{
    // struct perf_event_mmap_page: data_head at 1024, data_tail at 1032, data_offset 1040, data_size 1048
    private const int DataHeadOffset = 1024, DataTailOffset = 1032, DataOffsetOffset = 1040, DataSizeOffset = 1048;
    private const uint RecordLost = 2, RecordSample = 9;

    private readonly MemoryMapping mapping;
    private readonly byte* data;
    private readonly ulong size;
    private byte[] scratch = new byte[256];

    public PerfRing(int cpu, int pages, string mapName)
    {
        Cpu = cpu;
        Event = PerfOutputEvent.Open(cpu, out var errno)
            ?? throw new IOException($"perf_event_open(PERF_COUNT_SW_BPF_OUTPUT) on CPU {cpu} for map '{mapName}' failed: {Errno.Describe(errno)}"
                + (errno is Errno.EACCES or Errno.EPERM ? "; it needs CAP_PERFMON or CAP_SYS_ADMIN, or a lower kernel.perf_event_paranoid" : ""));
        var page = Environment.SystemPageSize;
        var m = MemoryMapping.Map(Event, (nuint)(page * (1 + pages)), writable: true, 0, out errno);
        if (m is null)
        {
            Event.Dispose();
            throw new IOException($"mmap of the perf ring of CPU {cpu} for map '{mapName}' ({pages} pages) failed: {Errno.Describe(errno)}"
                + (errno == Errno.EPERM ? "; the locked-memory limit (ulimit -l, perf_event_mlock_kb) is too low for this many pages" : ""));
        }
        mapping = m;
        var header = mapping.Pointer;
        var offset = *(ulong*)(header + DataOffsetOffset);
        size = *(ulong*)(header + DataSizeOffset);
        if (offset == 0 || size == 0) // kernels before 4.1 leave these 0; the data then starts at the next page
        {
            offset = (ulong)page;
            size = (ulong)(page * pages);
        }
        data = header + offset;
    }

    public int Cpu { get; }

    /// <summary>The perf event descriptor: stored in the map's slot for this CPU and watched with epoll.</summary>
    public BpfFd Event { get; }

    public bool HasData => Volatile.Read(ref *(ulong*)(mapping.Pointer + DataHeadOffset)) != *(ulong*)(mapping.Pointer + DataTailOffset);

    /// <summary>Hands out samples and loss reports until the ring is empty or <paramref name="limit"/> samples were read.</summary>
    public int Consume(PerfSampleHandler onSample, PerfLostHandler? onLost, ref ulong lostTotal, int limit)
    {
        var head = Volatile.Read(ref *(ulong*)(mapping.Pointer + DataHeadOffset)); // acquire: the records before head are complete
        var tailPtr = (ulong*)(mapping.Pointer + DataTailOffset);
        var tail = *tailPtr;
        var count = 0;
        while (tail < head && count < limit)
        {
            var start = tail % size;
            var recordSize = *(ushort*)(data + ((start + 6) % size));
            if (recordSize < 8)
                throw new InvalidDataException($"perf ring of CPU {Cpu} holds a record of {recordSize} bytes, shorter than its header: the ring is corrupt");
            var record = Contiguous(start, recordSize);
            var type = BitConverter.ToUInt32(record);
            if (type == RecordSample)
            {
                var rawSize = BitConverter.ToUInt32(record.Slice(8));
                onSample(Cpu, record.Slice(12, (int)Math.Min(rawSize, (uint)record.Length - 12)));
                count++;
            }
            else if (type == RecordLost)
            {
                var lost = BitConverter.ToUInt64(record.Slice(16));
                lostTotal += lost;
                onLost?.Invoke(Cpu, lost);
            }
            tail += recordSize;
            // release: the kernel may overwrite the record only after we are done with it
            Volatile.Write(ref *tailPtr, tail);
        }
        return count;
    }

    private ReadOnlySpan<byte> Contiguous(ulong start, int length)
    {
        if (start + (ulong)length <= size)
            return new ReadOnlySpan<byte>(data + start, length);
        if (scratch.Length < length)
            scratch = new byte[Math.Max(length, scratch.Length * 2)];
        var first = (int)(size - start);
        new ReadOnlySpan<byte>(data + start, first).CopyTo(scratch);
        new ReadOnlySpan<byte>(data, length - first).CopyTo(scratch.AsSpan(first));
        return scratch.AsSpan(0, length);
    }

    public void Dispose()
    {
        mapping.Dispose();
        Event.Dispose();
    }
}
