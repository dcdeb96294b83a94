namespace Ebpf.Events;

/// <summary>
/// The kernel's BPF ring buffer ABI (kernel/bpf/ringbuf.c, uapi bpf.h): page 0 of the map's mmap holds the
/// consumer position (we write it), page 1 the producer position (the kernel writes it), and the data area
/// follows, mapped twice in a row so a record that wraps around the end is still contiguous in memory.
/// Each record starts with an 8-byte header: a 32-bit length whose top bits say "still being written" (busy)
/// and "discarded", then the page offset the kernel uses internally. Records are padded to 8 bytes.
/// </summary>
internal static class RingBufLayout
{
    public const uint BusyBit = 1u << 31;
    public const uint DiscardBit = 1u << 30;
    public const int HeaderSize = 8;

    /// <summary>Total space a record with <paramref name="length"/> bytes of data takes in the ring.</summary>
    public static long RecordSpan(uint length) => (length + HeaderSize + 7) & ~7L;
}
