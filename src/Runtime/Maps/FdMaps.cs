using System.Net.Sockets;
using System.Runtime.InteropServices;
using Ebpf.Errors;
using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;
using Ebpf.Programs;

namespace Ebpf.Maps;

/// <summary>
/// Shared code of the maps whose values are descriptors: an update takes the descriptor of a program, map or
/// socket; a lookup returns what the kernel gives back for it (the object's id, where the kernel allows lookups).
/// </summary>
public abstract unsafe class DescriptorMap<TKey> : BpfMapView where TKey : unmanaged
{
    private protected DescriptorMap(BpfMap map, params MapType[] types) : base(map, types) =>
        CheckSize("key", map.KeySize, sizeof(TKey), typeof(TKey));

    private protected void Put(TKey key, int fd, UpdateFlags flags, SafeHandle? keepAlive)
    {
        // The value is a 4-byte descriptor (some map types accept a longer struct that starts with it).
        var value = stackalloc byte[Math.Max(8, (int)Map.ValueSize)];
        new Span<byte>(value, Math.Max(8, (int)Map.ValueSize)).Clear();
        *(int*)value = fd;
        var errno = MapSyscalls.Update(Map.Handle, &key, value, (ulong)flags);
        GC.KeepAlive(keepAlive);
        if (errno != 0)
            throw Map.UpdateFailed(errno, flags, new ReadOnlySpan<byte>(&key, sizeof(TKey)), MapKeys.Describe(key));
    }

    private protected void PutValue(TKey key, ReadOnlySpan<byte> value, UpdateFlags flags)
    {
        fixed (byte* v = value)
        {
            var errno = MapSyscalls.Update(Map.Handle, &key, v, (ulong)flags);
            if (errno != 0)
                throw Map.UpdateFailed(errno, flags, new ReadOnlySpan<byte>(&key, sizeof(TKey)), MapKeys.Describe(key));
        }
    }

    /// <summary>The 32-bit value the kernel returns for the entry (an id for program and map arrays), or null.</summary>
    private protected uint? GetU32(TKey key)
    {
        var size = Math.Max(8, (int)Map.ValueSize);
        var value = stackalloc byte[size];
        var errno = MapSyscalls.Lookup(Map.Handle, &key, value);
        if (errno == Errno.ENOENT)
            return null;
        if (errno != 0)
            throw BpfErrors.MapOperation("BPF_MAP_LOOKUP_ELEM", Map.Name, errno, Map.ExplainElementError(errno));
        return *(uint*)value;
    }

    /// <summary>Removes the entry; false when it was absent.</summary>
    public bool TryDelete(TKey key)
    {
        var errno = MapSyscalls.Delete(Map.Handle, &key);
        if (errno == Errno.ENOENT)
            return false;
        if (errno != 0)
            throw BpfErrors.MapOperation("BPF_MAP_DELETE_ELEM", Map.Name, errno, Map.ExplainElementError(errno));
        return true;
    }

    /// <summary>Every key, in the kernel's order.</summary>
    public IEnumerable<TKey> Keys => MapKeys.Enumerate<TKey>(Map);

    private protected static int SocketFd(Socket socket) => (int)socket.SafeHandle.DangerousGetHandle();
}

/// <summary>A BPF_MAP_TYPE_PROG_ARRAY: tail-call targets by index.</summary>
public sealed class ProgArrayMap : DescriptorMap<uint>
{
    public ProgArrayMap(BpfMap map) : base(map, MapType.ProgArray) { }

    /// <summary>Puts <paramref name="program"/> at <paramref name="index"/> (a tail call to that index then runs it).</summary>
    public void Update(uint index, BpfProgram program, UpdateFlags flags = UpdateFlags.Any) => Put(index, program.Handle.Value, flags, program.Handle);

    /// <summary>The id of the program at <paramref name="index"/>, or null when the slot is empty.</summary>
    public uint? GetProgramId(uint index) => GetU32(index);
}

/// <summary>A BPF_MAP_TYPE_ARRAY_OF_MAPS: inner maps (of the template's type and sizes) by index.</summary>
public sealed class ArrayOfMaps : DescriptorMap<uint>
{
    public ArrayOfMaps(BpfMap map) : base(map, MapType.ArrayOfMaps) { }

    /// <summary>Puts <paramref name="inner"/> at <paramref name="index"/>.</summary>
    public void Update(uint index, BpfMap inner, UpdateFlags flags = UpdateFlags.Any) => Put(index, inner.Handle.Value, flags, inner.Handle);

    /// <summary>The id of the map at <paramref name="index"/>, or null when the slot is empty.</summary>
    public uint? GetMapId(uint index) => GetU32(index);
}

/// <summary>A BPF_MAP_TYPE_HASH_OF_MAPS: inner maps by key.</summary>
public sealed class HashOfMaps<TKey> : DescriptorMap<TKey> where TKey : unmanaged
{
    public HashOfMaps(BpfMap map) : base(map, MapType.HashOfMaps) { }

    public void Update(TKey key, BpfMap inner, UpdateFlags flags = UpdateFlags.Any) =>
        Put(key, inner.Handle.Value, flags, inner.Handle);

    /// <summary>The id of the map under <paramref name="key"/>, or null.</summary>
    public uint? GetMapId(TKey key) => GetU32(key);
}

/// <summary>A BPF_MAP_TYPE_SOCKMAP: sockets by index, for sk_msg/sk_skb redirects.</summary>
public sealed class SockMap : DescriptorMap<uint>
{
    public SockMap(BpfMap map) : base(map, MapType.SockMap) { }

    /// <summary>Puts a connected TCP (or UDP/unix) socket at <paramref name="index"/>.</summary>
    public void Update(uint index, Socket socket, UpdateFlags flags = UpdateFlags.Any) =>
        Put(index, SocketFd(socket), flags, socket.SafeHandle);

    /// <summary>Puts a socket given by its descriptor.</summary>
    public void Update(uint index, int socketFd, UpdateFlags flags = UpdateFlags.Any) => Put(index, socketFd, flags, null);

    /// <summary>The socket cookie of the entry (needs an 8-byte value size), or null when empty.</summary>
    public ulong? GetCookie(uint index) => SockCookie.Lookup(Map, index);
}

/// <summary>A BPF_MAP_TYPE_SOCKHASH: sockets by key, for sk_msg/sk_skb redirects.</summary>
public sealed class SockHashMap<TKey> : DescriptorMap<TKey> where TKey : unmanaged
{
    public SockHashMap(BpfMap map) : base(map, MapType.SockHash) { }

    public void Update(TKey key, Socket socket, UpdateFlags flags = UpdateFlags.Any) =>
        Put(key, SocketFd(socket), flags, socket.SafeHandle);

    public void Update(TKey key, int socketFd, UpdateFlags flags = UpdateFlags.Any) => Put(key, socketFd, flags, null);

    /// <summary>The socket cookie of the entry (needs an 8-byte value size), or null when absent.</summary>
    public ulong? GetCookie(TKey key) => SockCookie.Lookup(Map, key);
}

/// <summary>
/// A BPF_MAP_TYPE_DEVMAP (slots 0..MaxEntries-1) or BPF_MAP_TYPE_DEVMAP_HASH (any 32-bit key): XDP redirect
/// targets (network interfaces).
/// </summary>
public sealed class DevMap : DescriptorMap<uint>
{
    public DevMap(BpfMap map) : base(map, MapType.DevMap, MapType.DevMapHash) { }

    /// <summary>Redirects to slot <paramref name="index"/> go out of interface <paramref name="ifindex"/>.</summary>
    public void Update(uint index, int ifindex, UpdateFlags flags = UpdateFlags.Any) => Put(index, ifindex, flags, null);

    /// <summary>The interface index in the slot, or null when empty.</summary>
    public int? GetInterfaceIndex(uint index) => (int?)GetU32(index);
}

/// <summary>A BPF_MAP_TYPE_CPUMAP: XDP redirect targets (CPUs) by CPU number.</summary>
public sealed class CpuMap : DescriptorMap<uint>
{
    public CpuMap(BpfMap map) : base(map, MapType.CpuMap) { }

    /// <summary>Enables redirects to <paramref name="cpu"/> with a queue of <paramref name="queueSize"/> frames.</summary>
    public void Update(uint cpu, uint queueSize, UpdateFlags flags = UpdateFlags.Any) => Put(cpu, (int)queueSize, flags, null);

    /// <summary>The queue size of the CPU's entry, or null when not set.</summary>
    public uint? GetQueueSize(uint cpu) => GetU32(cpu);
}

/// <summary>Socket cookie lookups of sockmap/sockhash entries (the kernel returns cookies for 8-byte values only).</summary>
internal static unsafe class SockCookie
{
    public static ulong? Lookup<TKey>(BpfMap map, TKey key) where TKey : unmanaged
    {
        if (map.ValueSize != 8)
            throw new InvalidOperationException(
                $"map '{map.Name}' has {map.ValueSize}-byte values; the kernel returns socket cookies only for maps declared with 8-byte (__u64) values");
        ulong cookie;
        var errno = MapSyscalls.Lookup(map.Handle, &key, &cookie);
        if (errno == Errno.ENOENT)
            return null;
        if (errno != 0)
            throw BpfErrors.MapOperation("BPF_MAP_LOOKUP_ELEM", map.Name, errno, map.ExplainElementError(errno));
        return cookie;
    }
}
