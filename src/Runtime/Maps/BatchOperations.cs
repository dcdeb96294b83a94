using System.Runtime.InteropServices;
using Ebpf.Errors;
using Ebpf.Internal;
using Ebpf.Links;

namespace Ebpf;

/// <summary>
/// Batch operations on the one-value-per-key views (<see cref="HashMap{TKey, TValue}"/>, <see cref="LruHashMap{TKey, TValue}"/>,
/// <see cref="ArrayMap{TValue}"/>, <see cref="LpmTrieMap{TKey, TValue}"/>): many entries per bpf(2) call through
/// BPF_MAP_LOOKUP_BATCH, LOOKUP_AND_DELETE_BATCH, UPDATE_BATCH and DELETE_BATCH, over spans the caller owns (nothing is
/// allocated per call). When the kernel has no batch command for the map (kernels before 5.6, deletes on arrays)
/// the same operation runs key by key with the same results, so callers need not probe.
/// </summary>
public static unsafe class MapBatch
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
    /// Like <see cref="LookupBatch{TKey, TValue}"/>, and removes each entry returned, so a full walk empties the map and
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
        if (keys.IsEmpty)
            return 0;
        var count = (uint)keys.Length;
        int errno;
        fixed (TKey* k = keys)
        fixed (TValue* v = values)
        {
            errno = ForcePerKey ? Errno.EOPNOTSUPP
                : BatchSyscalls.Call(BpfCommand.MapUpdateBatch, map.Map.Handle, null, null, k, v, ref count, (ulong)flags);
            if (RefusedUpFront(errno, count, keys.Length))
            {
                for (count = 0; count < keys.Length; count++)
                {
                    errno = MapSyscalls.Update(map.Map.Handle, k + count, v + count, (ulong)flags);
                    if (errno != 0)
                        break;
                }
            }
        }
        return errno == 0 ? keys.Length : Fail(map, "BPF_MAP_UPDATE_BATCH", errno, (int)count, keys, flags);
    }

    /// <summary>
    /// Removes every key in <paramref name="keys"/>; returns the count. A key that is absent stops the batch with
    /// <see cref="KeyNotFoundException"/> saying how many were removed before it. Array maps cannot delete.
    /// </summary>
    public static int DeleteBatch<TKey, TValue>(this KeyValueMap<TKey, TValue> map, ReadOnlySpan<TKey> keys)
        where TKey : unmanaged where TValue : unmanaged
    {
        if (keys.IsEmpty)
            return 0;
        var count = (uint)keys.Length;
        int errno;
        fixed (TKey* k = keys)
        {
            errno = ForcePerKey ? Errno.EOPNOTSUPP
                : BatchSyscalls.Call(BpfCommand.MapDeleteBatch, map.Map.Handle, null, null, k, null, ref count, 0);
            if (RefusedUpFront(errno, count, keys.Length))
            {
                for (count = 0; count < keys.Length; count++)
                {
                    errno = MapSyscalls.Delete(map.Map.Handle, k + count);
                    if (errno != 0)
                        break;
                }
            }
        }
        return errno == 0 ? keys.Length : Fail(map, "BPF_MAP_DELETE_BATCH", errno, (int)count, keys, UpdateFlags.Any);
    }

    /// <summary>
    /// Every entry, read <paramref name="batchSize"/> at a time with <see cref="LookupBatch{TKey, TValue}"/>: two arrays
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

    /// <summary>EINVAL, ENOTSUPP (524) and EOPNOTSUPP: the kernel has no batch command for this map (type or version).</summary>
    private static bool Unsupported(int errno) => errno is Errno.EINVAL or Errno.ENOTSUPP or Errno.EOPNOTSUPP;

    /// <summary>
    /// Whether a failed update/delete batch wrote nothing, so running it key by key instead is safe: the kernel leaves the
    /// count untouched when it refuses the command itself, and reports 0 when the first entry failed (the key-by-key run
    /// then meets the same error and reports it per key). A count in between is an entry failing part-way: no fallback.
    /// </summary>
    private static bool RefusedUpFront(int errno, uint count, int requested) =>
        Unsupported(errno) && (count == 0 || count == (uint)requested);

    private static int Walk<TKey, TValue>(KeyValueMap<TKey, TValue> map, MapBatchCursor cursor, Span<TKey> keys, Span<TValue> values, bool delete)
        where TKey : unmanaged where TValue : unmanaged
    {
        ArgumentNullException.ThrowIfNull(cursor);
        var room = Math.Min(keys.Length, values.Length);
        if (room == 0)
            throw new ArgumentException("the key and value spans need room for at least one entry", nameof(keys));
        if (cursor.IsDone)
            return 0;
        if (!cursor.Started && ForcePerKey)
            cursor.PerKey = true;
        if (cursor.PerKey)
            return WalkPerKey(map, cursor, keys[..room], values[..room], delete);

        var command = delete ? BpfCommand.MapLookupAndDeleteBatch : BpfCommand.MapLookupBatch;
        var token = cursor.Token(map.Map.KeySize);
        var count = (uint)room;
        int errno;
        fixed (byte* t = token)
        fixed (TKey* k = keys)
        fixed (TValue* v = values)
            errno = BatchSyscalls.Call(command, map.Map.Handle, cursor.Started ? t : null, t, k, v, ref count, 0);

        if (errno != 0 && errno != Errno.ENOENT && !cursor.Started && Unsupported(errno))
        {
            cursor.PerKey = true;
            return WalkPerKey(map, cursor, keys[..room], values[..room], delete);
        }
        cursor.Started = true;
        if (errno == Errno.ENOENT)
        {
            cursor.IsDone = true; // the end of the map; the kernel still reports the entries of this last batch
            return (int)count;
        }
        if (errno == Errno.ENOSPC)
            throw BpfErrors.MapOperation(Name(command), map.Map.Name, errno,
                $"a hash bucket holds more entries than the {room} the spans have room for: pass larger spans (the cursor is unchanged, retry is safe)");
        if (errno != 0)
            throw BpfErrors.MapOperation(Name(command), map.Map.Name, errno, map.Map.ExplainElementError(errno));
        return (int)count;
    }

    /// <summary>
    /// The walk without batch commands: BPF_MAP_GET_NEXT_KEY from the cursor's last key, then a lookup per key (and a
    /// delete). Deleting walks collect the keys first, then remove them, and restart from the first key each batch, since
    /// the cursor's key no longer exists.
    /// </summary>
    private static int WalkPerKey<TKey, TValue>(KeyValueMap<TKey, TValue> map, MapBatchCursor cursor, Span<TKey> keys, Span<TValue> values, bool delete)
        where TKey : unmanaged where TValue : unmanaged
    {
        var handle = map.Map.Handle;
        var count = 0;
        TKey last = cursor.Started && !delete ? MemoryMarshal.Read<TKey>(cursor.Token((uint)sizeof(TKey))) : default;
        var hasLast = cursor.Started && !delete;
        cursor.Started = true;
        var atEnd = false;
        while (count < keys.Length)
        {
            TKey next;
            var errno = MapSyscalls.GetNextKey(handle, hasLast ? &last : null, &next);
            if (errno == Errno.ENOENT)
            {
                atEnd = true;
                break;
            }
            if (errno != 0)
                throw BpfErrors.MapOperation("BPF_MAP_GET_NEXT_KEY", map.Map.Name, errno, map.Map.ExplainElementError(errno));
            last = next;
            hasLast = true;
            TValue value;
            errno = MapSyscalls.Lookup(handle, &next, &value);
            if (errno == Errno.ENOENT)
                continue; // deleted since get_next_key returned it
            if (errno != 0)
                throw BpfErrors.MapOperation("BPF_MAP_LOOKUP_ELEM", map.Map.Name, errno, map.Map.ExplainElementError(errno));
            keys[count] = next;
            values[count] = value;
            count++;
        }
        if (!delete)
            MemoryMarshal.Write(cursor.Token((uint)sizeof(TKey)), in last);
        else
        {
            var kept = 0;
            for (var i = 0; i < count; i++)
            {
                var key = keys[i];
                var errno = MapSyscalls.Delete(handle, &key);
                if (errno == Errno.ENOENT)
                    continue; // someone else removed it first: it is not ours to return
                if (errno != 0)
                    throw BpfErrors.MapOperation("BPF_MAP_DELETE_ELEM", map.Map.Name, errno, map.Map.ExplainElementError(errno));
                keys[kept] = key;
                values[kept] = values[i];
                kept++;
            }
            count = kept;
        }
        cursor.IsDone = atEnd;
        return count;
    }

    private static int Fail<TKey, TValue>(KeyValueMap<TKey, TValue> map, string operation, int errno, int done, ReadOnlySpan<TKey> keys,
                                          UpdateFlags flags)
        where TKey : unmanaged where TValue : unmanaged
    {
        var at = Math.Min(done, keys.Length - 1);
        var key = keys[at];
        var keyText = MapKeys.Describe(key) ?? BpfMap.Hex(MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in key)));
        var progress = $"{done} of {keys.Length} entries before it were {(operation == "BPF_MAP_DELETE_BATCH" ? "removed" : "written")}";
        if (errno == Errno.ENOENT && operation == "BPF_MAP_DELETE_BATCH")
            throw new KeyNotFoundException($"map '{map.Map.Name}' has no key {keyText} to delete; {progress}");
        var inner = operation == "BPF_MAP_DELETE_BATCH"
            ? BpfErrors.MapOperation(operation, map.Map.Name, errno, map.Map.ExplainElementError(errno))
            : map.Map.UpdateFailed(errno, flags, MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in key)), MapKeys.Describe(key));
        if (inner is KeyNotFoundException)
            throw new KeyNotFoundException($"{inner.Message}; {progress}", inner);
        throw new BpfException($"{inner.Message} (at key {keyText}; {progress})", errno, operation, map.Map.Name, inner);
    }

    private static string Name(BpfCommand command) =>
        command == BpfCommand.MapLookupBatch ? "BPF_MAP_LOOKUP_BATCH" : "BPF_MAP_LOOKUP_AND_DELETE_BATCH";
}
