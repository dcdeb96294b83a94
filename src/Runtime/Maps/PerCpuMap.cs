using System.Buffers;
using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;

namespace Ebpf.Maps;

/// <summary>
/// Typed access to a per-CPU map: each key holds one value per possible CPU (<see cref="CpuCount"/>, from
/// /sys/devices/system/cpu/possible). The kernel lays the values out 8-byte aligned; values whose size is not a
/// multiple of 8 are repacked through a stack (or, when large, pooled) buffer, so no operation allocates.
/// </summary>
public abstract unsafe class PerCpuMap<TKey, TValue> : BpfMapView where TKey : unmanaged where TValue : unmanaged
{
    private const int StackLimit = 1024;
    private static readonly int stride = PerCpuLayout<TValue>.Stride;

    private protected PerCpuMap(BpfMap map, params MapType[] types) : base(map, types)
    {
        CheckSize("key", map.KeySize, sizeof(TKey), typeof(TKey));
        CheckSize("value", map.ValueSize, sizeof(TValue), typeof(TValue));
    }

    /// <summary>The number of values per key: the possible CPUs.</summary>
    public int CpuCount => CpuList.PossibleCount;

    /// <summary>Copies the per-CPU values of <paramref name="key"/> into <paramref name="values"/> (at least <see cref="CpuCount"/> long).</summary>
    public bool TryLookup(TKey key, Span<TValue> values)
    {
        var cpus = CheckLength(values.Length);
        if (stride == sizeof(TValue))
        {
            fixed (TValue* v = values)
                return Done(MapSyscalls.Lookup(Map.Handle, &key, v), "BPF_MAP_LOOKUP_ELEM");
        }
        var bytes = cpus * stride;
        byte[]? rented = null;
        Span<byte> buffer = bytes <= StackLimit ? stackalloc byte[bytes] : (rented = ArrayPool<byte>.Shared.Rent(bytes));
        try
        {
            fixed (byte* b = buffer)
            {
                if (!Done(MapSyscalls.Lookup(Map.Handle, &key, b), "BPF_MAP_LOOKUP_ELEM"))
                    return false;
                PerCpuLayout<TValue>.Unpack(b, values[..cpus]);
                return true;
            }
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The per-CPU values of <paramref name="key"/> (a new array); <see cref="KeyNotFoundException"/> when absent.</summary>
    public TValue[] Lookup(TKey key)
    {
        var values = new TValue[CpuCount];
        if (!TryLookup(key, values))
            throw Map.KeyNotFound(new ReadOnlySpan<byte>(&key, sizeof(TKey)), MapKeys.Describe(key));
        return values;
    }

    /// <summary>Sets one value per CPU (<paramref name="values"/> is <see cref="CpuCount"/> long).</summary>
    public void Update(TKey key, ReadOnlySpan<TValue> values, UpdateFlags flags = UpdateFlags.Any)
    {
        var cpus = CheckLength(values.Length);
        int errno;
        if (stride == sizeof(TValue))
        {
            fixed (TValue* v = values)
                errno = MapSyscalls.Update(Map.Handle, &key, v, (ulong)flags);
        }
        else
        {
            var bytes = cpus * stride;
            byte[]? rented = null;
            Span<byte> buffer = bytes <= StackLimit ? stackalloc byte[bytes] : (rented = ArrayPool<byte>.Shared.Rent(bytes));
            fixed (byte* b = buffer)
            {
                PerCpuLayout<TValue>.Pack(values[..cpus], b);
                errno = MapSyscalls.Update(Map.Handle, &key, b, (ulong)flags);
            }
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
        if (errno != 0)
            throw Map.UpdateFailed(errno, flags, new ReadOnlySpan<byte>(&key, sizeof(TKey)), MapKeys.Describe(key));
    }

    /// <summary>Sets the same value on every CPU.</summary>
    public void Update(TKey key, TValue valueOnEveryCpu, UpdateFlags flags = UpdateFlags.Any)
    {
        var cpus = CpuCount;
        TValue[]? rented = null;
        Span<TValue> values = cpus * sizeof(TValue) <= StackLimit ? stackalloc TValue[cpus] : (rented = ArrayPool<TValue>.Shared.Rent(cpus)).AsSpan(0, cpus);
        values.Fill(valueOnEveryCpu);
        Update(key, values, flags);
        if (rented is not null)
            ArrayPool<TValue>.Shared.Return(rented);
    }

    /// <summary>Removes the entry; false when absent (per-CPU arrays cannot delete).</summary>
    public bool TryDelete(TKey key) => Done(MapSyscalls.Delete(Map.Handle, &key), "BPF_MAP_DELETE_ELEM");

    /// <summary>Every key, in the kernel's order.</summary>
    public IEnumerable<TKey> Keys => MapKeys.Enumerate<TKey>(Map);

    private int CheckLength(int length)
    {
        var cpus = CpuCount;
        if (length < cpus)
            throw new ArgumentException($"per-CPU map '{Map.Name}' needs room for {cpus} values (one per possible CPU), got {length}", "values");
        return cpus;
    }

    private bool Done(int errno, string operation)
    {
        if (errno == Errno.ENOENT)
            return false;
        if (errno != 0)
            throw Errors.BpfErrors.MapOperation(operation, Map.Name, errno, Map.ExplainElementError(errno));
        return true;
    }
}

/// <summary>A BPF_MAP_TYPE_PERCPU_HASH map.</summary>
public sealed class PerCpuHashMap<TKey, TValue> : PerCpuMap<TKey, TValue> where TKey : unmanaged where TValue : unmanaged
{
    public PerCpuHashMap(BpfMap map) : base(map, MapType.PerCpuHash) { }
}

/// <summary>A BPF_MAP_TYPE_LRU_PERCPU_HASH map.</summary>
public sealed class LruPerCpuHashMap<TKey, TValue> : PerCpuMap<TKey, TValue> where TKey : unmanaged where TValue : unmanaged
{
    public LruPerCpuHashMap(BpfMap map) : base(map, MapType.LruPerCpuHash) { }
}

/// <summary>A BPF_MAP_TYPE_PERCPU_ARRAY map indexed 0..MaxEntries-1.</summary>
public sealed class PerCpuArrayMap<TValue> : PerCpuMap<uint, TValue> where TValue : unmanaged
{
    public PerCpuArrayMap(BpfMap map) : base(map, MapType.PerCpuArray) { }
}
