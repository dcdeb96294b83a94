namespace Ebpf.Maps;

/// <summary>
/// Batch operations on the one-value-per-key views (<see cref="HashMap{TKey, TValue}"/>, <see cref="LruHashMap{TKey, TValue}"/>,
/// <see cref="ArrayMap{TValue}"/>, <see cref="LpmTrieMap{TKey, TValue}"/>): many entries per bpf(2) call through
/// BPF_MAP_LOOKUP_BATCH, LOOKUP_AND_DELETE_BATCH, UPDATE_BATCH and DELETE_BATCH, over spans the caller owns (nothing is
/// allocated per call). When the kernel has no batch command for the map (kernels before 5.6, deletes on arrays)
/// the same operation runs key by key with the same results, so callers need not probe. The per-CPU views have the same
/// operations (PerCpuBatchOperations.cs); both pin or repack their spans and leave the rest to <see cref="BatchCore"/>.
/// </summary>
public static unsafe partial class MapBatch
{
    // Set by tests to run the key-by-key path on a kernel that has the batch commands; flows with the test's context.
    private static readonly AsyncLocal<bool> forcePerKey = new();

    /// <summary>Forces the key-by-key fallback in the current async context (for tests comparing both paths).</summary>
    internal static bool ForcePerKey
    {
        get => forcePerKey.Value;
        set => forcePerKey.Value = value;
    }

    /// <summary>
    /// Reads the next entries of a walk into <paramref name="keys"/> and <paramref name="values"/> (entry i is keys[i],
    /// values[i]); returns how many, 0 once the walk is done (<see cref="MapBatchCursor.IsDone"/>). A batch may hold fewer
    /// entries than there is room for even before the end: hash maps return whole buckets.
    /// </summary>
    public static int LookupBatch<TKey, TValue>(this KeyValueMap<TKey, TValue> map, MapBatchCursor cursor, Span<TKey> keys, Span<TValue> values)
        where TKey : unmanaged where TValue : unmanaged =>
        Walk(map, cursor, keys, values, delete: false);

    /// <summary>
    /// Like <see cref="LookupBatch{TKey, TValue}(KeyValueMap{TKey, TValue}, MapBatchCursor, Span{TKey}, Span{TValue})"/>, and removes each entry returned, so a full walk empties the map and
    /// returns every entry once. Array maps cannot delete: <see cref="BpfException"/>.
    /// </summary>
    public static int LookupAndDeleteBatch<TKey, TValue>(this KeyValueMap<TKey, TValue> map, MapBatchCursor cursor, Span<TKey> keys, Span<TValue> values)
        where TKey : unmanaged where TValue : unmanaged =>
        Walk(map, cursor, keys, values, delete: true);

    /// <summary>
    /// Writes keys[i] → values[i] for every i, as <paramref name="flags"/> says; returns the count. Stops at the first
    /// entry the kernel refuses and throws, saying how many were written before it.
    /// </summary>
    public static int UpdateBatch<TKey, TValue>(this KeyValueMap<TKey, TValue> map, ReadOnlySpan<TKey> keys, ReadOnlySpan<TValue> values,
                                                UpdateFlags flags = UpdateFlags.Any)
        where TKey : unmanaged where TValue : unmanaged
    {
        if (keys.Length != values.Length)
            throw new ArgumentException($"{keys.Length} keys but {values.Length} values: pass one value per key", nameof(values));
        fixed (TValue* v = values)
            return BatchCore.Update(map.Map, keys, (byte*)v, flags);
    }

    /// <summary>
    /// Removes every key in <paramref name="keys"/>; returns the count. A key that is absent stops the batch with
    /// <see cref="KeyNotFoundException"/> saying how many were removed before it. Array maps cannot delete.
    /// </summary>
    public static int DeleteBatch<TKey, TValue>(this KeyValueMap<TKey, TValue> map, ReadOnlySpan<TKey> keys)
        where TKey : unmanaged where TValue : unmanaged =>
        BatchCore.Delete(map.Map, keys);

    /// <summary>
    /// Every entry, read <paramref name="batchSize"/> at a time with <see cref="LookupBatch{TKey, TValue}(KeyValueMap{TKey, TValue}, MapBatchCursor, Span{TKey}, Span{TValue})"/>: two arrays
    /// for the whole walk, not an allocation per entry. Entries added or removed during the walk may or may not appear.
    /// </summary>
    public static IEnumerable<KeyValuePair<TKey, TValue>> EntriesInBatches<TKey, TValue>(this KeyValueMap<TKey, TValue> map, int batchSize = 4096)
        where TKey : unmanaged where TValue : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return Enumerate(map, batchSize);
    }

    private static IEnumerable<KeyValuePair<TKey, TValue>> Enumerate<TKey, TValue>(KeyValueMap<TKey, TValue> map, int batchSize)
        where TKey : unmanaged where TValue : unmanaged
    {
        var keys = new TKey[batchSize];
        var values = new TValue[batchSize];
        var cursor = new MapBatchCursor();
        while (!cursor.IsDone)
        {
            var n = map.LookupBatch(cursor, keys, values);
            for (var i = 0; i < n; i++)
                yield return new(keys[i], values[i]);
        }
    }

    private static int Walk<TKey, TValue>(KeyValueMap<TKey, TValue> map, MapBatchCursor cursor, Span<TKey> keys, Span<TValue> values, bool delete)
        where TKey : unmanaged where TValue : unmanaged
    {
        fixed (TValue* v = values)
            return BatchCore.Walk(map.Map, cursor, keys, (byte*)v, Math.Min(keys.Length, values.Length), delete);
    }
}
