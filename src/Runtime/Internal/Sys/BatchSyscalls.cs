using Ebpf.Maps;

namespace Ebpf.Internal;

/// <summary>
/// The four batch commands over raw pointers. Like <see cref="MapSyscalls"/>, the descriptor is referenced for the
/// duration of the call. Returns the errno (0 on success); the count is in: room (or entries to
/// write/delete), out: entries the kernel handled, which it reports also when it fails part-way or reaches the end.
/// </summary>
internal static unsafe class BatchSyscalls
{
    public static int Call(BpfCommand command, BpfFd map, void* inBatch, void* outBatch, void* keys, void* values,
                           ref uint count, ulong elemFlags)
    {
        var added = false;
        try
        {
            map.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            throw new ObjectDisposedException("BpfMap", "the map was disposed while a batch operation on it was starting");
        }
        try
        {
            var attr = new MapBatchAttr
            {
                InBatch = (ulong)inBatch, OutBatch = (ulong)outBatch, Keys = (ulong)keys, Values = (ulong)values,
                Count = count, MapFd = map.Value, ElemFlags = elemFlags,
            };
            BpfSyscall.Call(command, ref attr, out var errno);
            count = attr.Count;
            return errno;
        }
        finally
        {
            if (added)
                map.DangerousRelease();
        }
    }
}
