using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;

namespace Ebpf.Maps;

/// <summary>
/// Typed access to a map with one value per key (hash, array, LRU, LPM trie). Keys and values are copied
/// through the stack: no allocation per operation.
/// </summary>
public abstract unsafe class KeyValueMap<TKey, TValue> : BpfMapView
    where TKey : unmanaged where TValue : unmanaged
{
    private protected KeyValueMap(BpfMap map, params MapType[] types) : base(map, types)
    {
        CheckSize("key", map.KeySize, sizeof(TKey), typeof(TKey));
        CheckSize("value", map.ValueSize, sizeof(TValue), typeof(TValue));
    }

    /// <summary>The value under <paramref name="key"/>; <see cref="KeyNotFoundException"/> naming the map and key when absent.</summary>
    public TValue Lookup(TKey key) =>
        TryLookup(key, out var value) ? value : throw Map.KeyNotFound(KeyBytes(ref key), Describe(key));

    /// <summary>The value under <paramref name="key"/>, or false when the key is absent.</summary>
    public bool TryLookup(TKey key, out TValue value)
    {
        TValue v;
        var errno = MapSyscalls.Lookup(Map.Handle, &key, &v);
        if (errno == Errno.ENOENT)
        {
            value = default;
            return false;
        }
        if (errno != 0)
            throw Errors.BpfErrors.MapOperation("BPF_MAP_LOOKUP_ELEM", Map.Name, errno, Map.ExplainElementError(errno));
        value = v;
        return true;
    }

    /// <summary>Creates or replaces the entry, as <paramref name="flags"/> says.</summary>
    public void Update(TKey key, TValue value, UpdateFlags flags = UpdateFlags.Any)
    {
        var errno = MapSyscalls.Update(Map.Handle, &key, &value, (ulong)flags);
        if (errno != 0)
            throw Map.UpdateFailed(errno, flags, KeyBytes(ref key), Describe(key));
    }

    /// <summary>Removes the entry; false when it was absent.</summary>
    public bool TryDelete(TKey key)
    {
        var errno = MapSyscalls.Delete(Map.Handle, &key);
        if (errno == Errno.ENOENT)
            return false;
        if (errno != 0)
            throw Errors.BpfErrors.MapOperation("BPF_MAP_DELETE_ELEM", Map.Name, errno, Map.ExplainElementError(errno));
        return true;
    }

    /// <summary>Removes the entry; <see cref="KeyNotFoundException"/> when absent.</summary>
    public void Delete(TKey key)
    {
        if (!TryDelete(key))
            throw Map.KeyNotFound(KeyBytes(ref key), Describe(key));
    }

    /// <summary>Whether the key is present.</summary>
    public bool ContainsKey(TKey key) => TryLookup(key, out _);

    /// <summary>Get: <see cref="Lookup"/>; set: <see cref="Update"/> with <see cref="UpdateFlags.Any"/>.</summary>
    public TValue this[TKey key]
    {
        get => Lookup(key);
        set => Update(key, value);
    }

    /// <summary>Every key, in the kernel's order (read with BPF_MAP_GET_NEXT_KEY).</summary>
    public IEnumerable<TKey> Keys => MapKeys.Enumerate<TKey>(Map);

    /// <summary>Every entry (keys, then each value looked up; entries deleted meanwhile are skipped).</summary>
    public IEnumerable<KeyValuePair<TKey, TValue>> Entries()
    {
        foreach (var key in Keys)
            if (TryLookup(key, out var value))
                yield return new(key, value);
    }

    private static ReadOnlySpan<byte> KeyBytes(ref TKey key) =>
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in key));

    internal static string? Describe(TKey key) => MapKeys.Describe(key);
}

/// <summary>Key iteration and key formatting shared by the typed views.</summary>
internal static unsafe class MapKeys
{
    public static IEnumerable<TKey> Enumerate<TKey>(BpfMap map) where TKey : unmanaged
    {
        TKey current = default;
        var first = true;
        while (Next(map, first, ref current))
        {
            first = false;
            yield return current;
        }
    }

    private static bool Next<TKey>(BpfMap map, bool first, ref TKey key) where TKey : unmanaged
    {
        TKey previous = key, next;
        var errno = MapSyscalls.GetNextKey(map.Handle, first ? null : &previous, &next);
        if (errno == Errno.ENOENT)
            return false;
        if (errno != 0)
            throw Errors.BpfErrors.MapOperation("BPF_MAP_GET_NEXT_KEY", map.Name, errno, map.ExplainElementError(errno));
        key = next;
        return true;
    }

    /// <summary>Numbers and enums print as themselves; structs as their bytes (their ToString is only the type name).</summary>
    public static string? Describe<TKey>(TKey key) where TKey : unmanaged =>
        typeof(TKey).IsPrimitive || typeof(TKey).IsEnum ? key.ToString() : null;
}
