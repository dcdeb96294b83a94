using System.Runtime.InteropServices;
using Ebpf.Errors;
using Ebpf.Internal;
using Ebpf.Links;

namespace Ebpf.Maps;

/// <summary>
/// The batch operations over the kernel's own layout: keys back to back, then one value slot per key of
/// <see cref="BpfMap.ValueBufferSize"/> bytes (the value, or for per-CPU maps every possible CPU's value at an 8-byte
/// stride). The typed front ends (<see cref="MapBatch"/> for one-value and per-CPU views) only pin or repack their
/// spans, so the batch commands, the key-by-key fallback and the error reports are written once for every view.
/// </summary>
internal static unsafe class BatchCore
{
    /// <summary>
    /// The next entries of a walk: up to <paramref name="room"/> keys into <paramref name="keys"/> and their value slots
    /// into <paramref name="values"/>; 0 once the walk is done.
    /// </summary>
    public static int Walk<TKey>(BpfMap map, MapBatchCursor cursor, Span<TKey> keys, byte* values, int room, bool delete)
        where TKey : unmanaged
    {
        ArgumentNullException.ThrowIfNull(cursor);
        if (room == 0)
            throw new ArgumentException(map.IsPerCpu
                ? $"the key and value spans need room for at least one entry ({CpuList.PossibleCount} values per key: one per possible CPU)"
                : "the key and value spans need room for at least one entry", nameof(keys));
        if (cursor.IsDone)
            return 0;
        if (!cursor.Started && MapBatch.ForcePerKey)
            cursor.PerKey = true;
        fixed (TKey* k = keys)
        {
            if (cursor.PerKey)
                return WalkPerKey(map, cursor, (byte*)k, values, room, delete);

            var command = delete ? BpfCommand.MapLookupAndDeleteBatch : BpfCommand.MapLookupBatch;
            var count = (uint)room;
            int errno;
            fixed (byte* t = cursor.Token(map.KeySize))
                errno = BatchSyscalls.Call(command, map.Handle, cursor.Started ? t : null, t, k, values, ref count, 0);

            if (errno != 0 && errno != Errno.ENOENT && !cursor.Started && Unsupported(errno))
            {
                cursor.PerKey = true;
                return WalkPerKey(map, cursor, (byte*)k, values, room, delete);
            }
            cursor.Started = true;
            if (errno == Errno.ENOENT)
            {
                cursor.IsDone = true; // the end of the map; the kernel still reports the entries of this last batch
                return (int)count;
            }
            var name = delete ? "BPF_MAP_LOOKUP_AND_DELETE_BATCH" : "BPF_MAP_LOOKUP_BATCH";
            if (errno == Errno.ENOSPC)
                throw BpfErrors.MapOperation(name, map.Name, errno,
                    $"a hash bucket holds more entries than the {room} the spans have room for: pass larger spans (the cursor is unchanged, retry is safe)");
            if (errno != 0)
                throw BpfErrors.MapOperation(name, map.Name, errno, map.ExplainElementError(errno));
            return (int)count;
        }
    }

    /// <summary>
    /// Writes keys[i] → value slot i for every key; returns the count, or throws at the first entry the kernel refuses
    /// saying how many were written before it.
    /// </summary>
    public static int Update<TKey>(BpfMap map, ReadOnlySpan<TKey> keys, byte* values, UpdateFlags flags) where TKey : unmanaged =>
        Apply(map, BpfCommand.MapUpdateBatch, keys, values, flags);

    /// <summary>Removes every key; returns the count, or throws at the first key that cannot be removed.</summary>
    public static int Delete<TKey>(BpfMap map, ReadOnlySpan<TKey> keys) where TKey : unmanaged =>
        Apply(map, BpfCommand.MapDeleteBatch, keys, null, UpdateFlags.Any);

    /// <summary>An update or delete batch, or the same key by key when the kernel refuses the batch command up front.</summary>
    private static int Apply<TKey>(BpfMap map, BpfCommand command, ReadOnlySpan<TKey> keys, byte* values, UpdateFlags flags)
        where TKey : unmanaged
    {
        if (keys.IsEmpty)
            return 0;
        var update = command == BpfCommand.MapUpdateBatch;
        var count = (uint)keys.Length;
        int errno;
        fixed (TKey* k = keys)
        {
            errno = MapBatch.ForcePerKey ? Errno.EOPNOTSUPP
                : BatchSyscalls.Call(command, map.Handle, null, null, k, values, ref count, (ulong)flags);
            if (RefusedUpFront(errno, count, keys.Length))
            {
                var slot = (nint)map.ValueBufferSize;
                for (count = 0; count < keys.Length; count++)
                {
                    errno = update
                        ? MapSyscalls.Update(map.Handle, k + count, values + (nint)count * slot, (ulong)flags)
                        : MapSyscalls.Delete(map.Handle, k + count);
                    if (errno != 0)
                        break;
                }
            }
        }
        return errno == 0 ? keys.Length
            : Fail(map, update ? "BPF_MAP_UPDATE_BATCH" : "BPF_MAP_DELETE_BATCH", errno, (int)count, keys, flags);
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

    /// <summary>
    /// The walk without batch commands: BPF_MAP_GET_NEXT_KEY from the cursor's last key, then a lookup per key into its
    /// value slot (and a delete). Deleting walks collect the keys first, then remove them, and restart from the first key
    /// each batch, since the cursor's key no longer exists.
    /// </summary>
    private static int WalkPerKey(BpfMap map, MapBatchCursor cursor, byte* keys, byte* values, int room, bool delete)
    {
        var handle = map.Handle;
        var keySize = (nint)map.KeySize;
        var slot = (nint)map.ValueBufferSize;
        var hasLast = cursor.Started && !delete;
        cursor.Started = true;
        var count = 0;
        var atEnd = false;
        fixed (byte* last = cursor.Token(map.KeySize))
        {
            while (count < room)
            {
                var key = keys + count * keySize;
                var errno = MapSyscalls.GetNextKey(handle, hasLast ? last : null, key);
                if (errno == Errno.ENOENT)
                {
                    atEnd = true;
                    break;
                }
                if (errno != 0)
                    throw BpfErrors.MapOperation("BPF_MAP_GET_NEXT_KEY", map.Name, errno, map.ExplainElementError(errno));
                Buffer.MemoryCopy(key, last, keySize, keySize);
                hasLast = true;
                errno = MapSyscalls.Lookup(handle, key, values + count * slot);
                if (errno == Errno.ENOENT)
                    continue; // deleted since get_next_key returned it: the next key overwrites this slot
                if (errno != 0)
                    throw BpfErrors.MapOperation("BPF_MAP_LOOKUP_ELEM", map.Name, errno, map.ExplainElementError(errno));
                count++;
            }
        }
        if (delete)
            count = DeleteTaken(map, keys, values, count);
        cursor.IsDone = atEnd;
        return count;
    }

    /// <summary>Deletes the entries a per-key walk read, keeping (and compacting) only those it removed itself.</summary>
    private static int DeleteTaken(BpfMap map, byte* keys, byte* values, int count)
    {
        var keySize = (nint)map.KeySize;
        var slot = (nint)map.ValueBufferSize;
        var kept = 0;
        for (var i = 0; i < count; i++)
        {
            var errno = MapSyscalls.Delete(map.Handle, keys + i * keySize);
            if (errno == Errno.ENOENT)
                continue; // someone else removed it first: it is not ours to return
            if (errno != 0)
                throw BpfErrors.MapOperation("BPF_MAP_DELETE_ELEM", map.Name, errno, map.ExplainElementError(errno));
            if (kept != i)
            {
                Buffer.MemoryCopy(keys + i * keySize, keys + kept * keySize, keySize, keySize);
                Buffer.MemoryCopy(values + i * slot, values + kept * slot, slot, slot);
            }
            kept++;
        }
        return kept;
    }

    private static int Fail<TKey>(BpfMap map, string operation, int errno, int done, ReadOnlySpan<TKey> keys, UpdateFlags flags)
        where TKey : unmanaged
    {
        var at = Math.Min(done, keys.Length - 1);
        var key = keys[at];
        var keyBytes = MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in key));
        var keyText = MapKeys.Describe(key) ?? BpfMap.Hex(keyBytes);
        var deleting = operation == "BPF_MAP_DELETE_BATCH";
        var progress = $"{done} of {keys.Length} entries before it were {(deleting ? "removed" : "written")}";
        if (errno == Errno.ENOENT && deleting)
            throw new KeyNotFoundException($"map '{map.Name}' has no key {keyText} to delete; {progress}");
        var inner = deleting
            ? BpfErrors.MapOperation(operation, map.Name, errno, map.ExplainElementError(errno))
            : map.UpdateFailed(errno, flags, keyBytes, MapKeys.Describe(key));
        if (inner is KeyNotFoundException)
            throw new KeyNotFoundException($"{inner.Message}; {progress}", inner);
        throw new BpfException($"{inner.Message} (at key {keyText}; {progress})", errno, operation, map.Name, inner);
    }
}
