using System.Buffers;
using Ebpf.Errors;

namespace Ebpf.Maps;

// Batch operations on the per-CPU views (PerCpuHashMap, LruPerCpuHashMap, PerCpuArrayMap). Values travel as one flat
// span, key after key, each key's values for every possible CPU in CPU order: entry i's value on CPU c is
// values[i * CpuCount + c], the layout of the kernel's batch buffer. Values whose size is a multiple of 8 go to the
// kernel straight from the span; others are repacked to the kernel's 8-byte stride through a pooled buffer.
public static unsafe partial class MapBatch
{
    /// <summary>
    /// Reads the next entries of a walk of a per-CPU map: keys[i] and its values for every possible CPU at
    /// values[i * CpuCount ..]; returns how many entries, 0 once the walk is done. Room is the smaller of keys.Length and
    /// values.Length / CpuCount entries; hash maps return whole buckets.
    /// </summary>
    public static int LookupBatch<TKey, TValue>(this PerCpuMap<TKey, TValue> map, MapBatchCursor cursor, Span<TKey> keys, Span<TValue> values)
        where TKey : unmanaged where TValue : unmanaged =>
        Walk(map, cursor, keys, values, delete: false);

    /// <summary>
    /// Like <see cref="LookupBatch{TKey, TValue}(PerCpuMap{TKey, TValue}, MapBatchCursor, Span{TKey}, Span{TValue})"/>, and
    /// removes each entry returned. Per-CPU arrays cannot delete: <see cref="BpfException"/>.
    /// </summary>
    public static int LookupAndDeleteBatch<TKey, TValue>(this PerCpuMap<TKey, TValue> map, MapBatchCursor cursor, Span<TKey> keys, Span<TValue> values)
        where TKey : unmanaged where TValue : unmanaged =>
        Walk(map, cursor, keys, values, delete: true);

    /// <summary>
    /// Sets keys[i]'s value on every possible CPU from values[i * CpuCount ..] (values is keys.Length × CpuCount long);
    /// returns the count. Stops at the first entry the kernel refuses and throws, saying how many were written before it.
    /// </summary>
    public static int UpdateBatch<TKey, TValue>(this PerCpuMap<TKey, TValue> map, ReadOnlySpan<TKey> keys, ReadOnlySpan<TValue> values,
                                                UpdateFlags flags = UpdateFlags.Any)
        where TKey : unmanaged where TValue : unmanaged
    {
        var cpus = map.CpuCount;
        if (values.Length != keys.Length * cpus)
            throw new ArgumentException(
                $"{keys.Length} keys need {keys.Length * cpus} values ({cpus} per key: one per possible CPU), got {values.Length}", nameof(values));
        if (!PerCpuLayout<TValue>.Padded)
        {
            fixed (TValue* v = values)
                return BatchCore.Update(map.Map, keys, (byte*)v, flags);
        }
        var buffer = ArrayPool<byte>.Shared.Rent(values.Length * PerCpuLayout<TValue>.Stride);
        try
        {
            fixed (byte* b = buffer)
            {
                PerCpuLayout<TValue>.Pack(values, b);
                return BatchCore.Update(map.Map, keys, b, flags);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Removes every key in <paramref name="keys"/> (all CPUs' values go with it); returns the count. An absent key stops
    /// the batch with <see cref="KeyNotFoundException"/>. Per-CPU arrays cannot delete.
    /// </summary>
    public static int DeleteBatch<TKey, TValue>(this PerCpuMap<TKey, TValue> map, ReadOnlySpan<TKey> keys)
        where TKey : unmanaged where TValue : unmanaged =>
        BatchCore.Delete(map.Map, keys);

    /// <summary>
    /// Every entry with its values for every possible CPU, read <paramref name="batchSize"/> entries at a time. Each entry's
    /// values are a slice of a fresh array per batch, so they stay valid after the enumeration moves on (one allocation
    /// per batch, none per entry).
    /// </summary>
    public static IEnumerable<KeyValuePair<TKey, ReadOnlyMemory<TValue>>> EntriesInBatches<TKey, TValue>(this PerCpuMap<TKey, TValue> map,
                                                                                                        int batchSize = 4096)
        where TKey : unmanaged where TValue : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return Enumerate(map, batchSize);
    }

    private static IEnumerable<KeyValuePair<TKey, ReadOnlyMemory<TValue>>> Enumerate<TKey, TValue>(PerCpuMap<TKey, TValue> map, int batchSize)
        where TKey : unmanaged where TValue : unmanaged
    {
        var cpus = map.CpuCount;
        var keys = new TKey[batchSize];
        var cursor = new MapBatchCursor();
        while (!cursor.IsDone)
        {
            var values = new TValue[batchSize * cpus];
            var n = map.LookupBatch(cursor, keys, values);
            for (var i = 0; i < n; i++)
                yield return new(keys[i], values.AsMemory(i * cpus, cpus));
        }
    }

    private static int Walk<TKey, TValue>(PerCpuMap<TKey, TValue> map, MapBatchCursor cursor, Span<TKey> keys, Span<TValue> values, bool delete)
        where TKey : unmanaged where TValue : unmanaged
    {
        var cpus = map.CpuCount;
        var room = Math.Min(keys.Length, values.Length / cpus);
        if (!PerCpuLayout<TValue>.Padded)
        {
            fixed (TValue* v = values)
                return BatchCore.Walk(map.Map, cursor, keys, (byte*)v, room, delete);
        }
        var buffer = ArrayPool<byte>.Shared.Rent(room * cpus * PerCpuLayout<TValue>.Stride);
        try
        {
            fixed (byte* b = buffer)
            {
                var n = BatchCore.Walk(map.Map, cursor, keys, b, room, delete);
                PerCpuLayout<TValue>.Unpack(b, values[..(n * cpus)]);
                return n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
