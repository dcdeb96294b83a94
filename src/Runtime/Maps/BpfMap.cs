using Ebpf.Errors;
using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;

namespace Ebpf.Maps;

/// <summary>
/// A BPF map: before <see cref="BpfObject.Load"/> the definition (whose <see cref="MaxEntries"/> and
/// <see cref="Flags"/> may still change), afterwards the kernel object. The untyped operations take keys and values
/// as bytes; the typed views (<see cref="HashMap{TKey, TValue}"/>, ...) wrap them. Operations allocate nothing.
/// </summary>
public sealed unsafe class BpfMap : IDisposable
{
    private BpfFd? handle;
    private uint? id;

    internal BpfMap(MapSpec spec) => Spec = spec;

    /// <summary>Creates a map on its own (outside any object), e.g. an inner map to put in a map of maps.</summary>
    public static BpfMap Create(MapSpec spec)
    {
        Memlock.EnsureUsable();
        var map = new BpfMap(spec);
        map.Attach(MapCreator.Create(spec, btf: null, innerMapFd: null));
        return map;
    }

    /// <summary>
    /// Opens a map pinned in bpffs (by another process, <c>bpftool</c> or <see cref="Pin"/>); its definition is
    /// read back from the kernel. The returned map is independent of any object: dispose it when done.
    /// </summary>
    public static BpfMap OpenPinned(string path)
    {
        var fd = Sys.ObjGet(path, out var errno);
        if (fd is null)
            throw new BpfException(
                $"BPF_OBJ_GET of {path} failed: {Errno.Describe(errno)}"
                + (errno == Errno.ENOENT ? "; nothing is pinned there (is bpffs mounted at that place?)"
                   : errno is Errno.EPERM or Errno.EACCES ? "; " + Privileges.Explain("CAP_BPF") : ""),
                errno, "BPF_OBJ_GET", path);
        // A pin may hold a program or link too; only a map's fdinfo has a map_type line.
        var isMap = File.ReadAllText($"/proc/self/fdinfo/{fd.Value}").Contains("map_type:", StringComparison.Ordinal);
        MapInfo info = default;
        var infoErrno = isMap ? MapSyscalls.GetInfo(fd, out info) : Errno.EINVAL;
        if (infoErrno != 0)
        {
            fd.Dispose();
            throw new BpfException($"{path} is pinned but is not a BPF map (a program or link?)", infoErrno, "BPF_OBJ_GET", path);
        }
        var name = Path.GetFileName(path);
        var map = new BpfMap(new MapSpec(name, (MapType)info.Type, info.KeySize, info.ValueSize, info.MaxEntries, info.MapFlags));
        map.Attach(fd);
        map.id = info.Id;
        return map;
    }

    /// <summary>The definition the map is (or will be) created from.</summary>
    public MapSpec Spec { get; }

    /// <summary>The map's name in the object (".rodata", ".bss", ... for global data).</summary>
    public string Name => Spec.Name;

    public MapType Type => Spec.Type;
    public uint KeySize => Spec.KeySize;
    public uint ValueSize => Spec.ValueSize;

    /// <summary>Maximum number of entries; settable until the map is created.</summary>
    public uint MaxEntries
    {
        get => Spec.MaxEntries;
        set
        {
            ThrowIfCreated(nameof(MaxEntries));
            Spec.MaxEntries = value;
        }
    }

    /// <summary>BPF_F_* map flags; settable until the map is created.</summary>
    public uint Flags
    {
        get => Spec.Flags;
        set
        {
            ThrowIfCreated(nameof(Flags));
            Spec.Flags = value;
        }
    }

    /// <summary>Whether the kernel map exists (after <see cref="BpfObject.Load"/>).</summary>
    public bool IsCreated => handle is not null;

    /// <summary>The map's file descriptor (after load).</summary>
    public int Fd => Handle.Value;

    /// <summary>The kernel's map id, as <c>bpftool map show</c> prints it (after load).</summary>
    public uint Id => id ??= ReadInfo().Id;

    /// <summary>Per-CPU map types hold one value per possible CPU.</summary>
    public bool IsPerCpu => Type is MapType.PerCpuHash or MapType.PerCpuArray or MapType.LruPerCpuHash
        or MapType.PerCpuCgroupStorage;

    /// <summary>
    /// Bytes a lookup writes: <see cref="ValueSize"/>, or for per-CPU maps the value rounded up to 8 bytes times
    /// the number of possible CPUs.
    /// </summary>
    public int ValueBufferSize => IsPerCpu ? (int)((ValueSize + 7) & ~7u) * CpuList.PossibleCount : (int)ValueSize;

    /// <summary>The descriptor, for the runtime's own calls (attach to a sockmap, map-in-map updates, relocations).</summary>
    internal BpfFd Handle => handle ?? throw new InvalidOperationException(
        $"map '{Name}' has not been created yet: call BpfObject.Load() first");

    /// <summary>The writable or read-only mapping of a BPF_F_MMAPABLE map, when the loader made one.</summary>
    internal MemoryMapping? Mapping { get; set; }

    internal void Attach(BpfFd fd) => handle = fd;

    /// <summary>The kernel's view of the map (type, sizes, entries, flags as created).</summary>
    internal MapInfo ReadInfo()
    {
        var errno = MapSyscalls.GetInfo(Handle, out var info);
        if (errno != 0)
            throw BpfErrors.MapOperation("BPF_OBJ_GET_INFO_BY_FD", Name, errno);
        return info;
    }

    /// <summary>Copies the value under <paramref name="key"/> into <paramref name="value"/>; false when absent.</summary>
    public bool TryLookup(ReadOnlySpan<byte> key, Span<byte> value)
    {
        CheckKey(key);
        CheckValue(value.Length);
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var errno = MapSyscalls.Lookup(Handle, key.IsEmpty ? null : k, v);
            if (errno == Errno.ENOENT)
                return false;
            if (errno != 0)
                throw BpfErrors.MapOperation("BPF_MAP_LOOKUP_ELEM", Name, errno, ExplainElementError(errno));
            return true;
        }
    }

    /// <summary>Copies the value under <paramref name="key"/>; <see cref="KeyNotFoundException"/> when absent.</summary>
    public void Lookup(ReadOnlySpan<byte> key, Span<byte> value)
    {
        if (!TryLookup(key, value))
            throw KeyNotFound(key, null);
    }

    /// <summary>
    /// Copies the value under <paramref name="key"/> and removes the entry in one step; false when absent. For queue
    /// and stack maps (key size 0) pass an empty key: this pops the next element (Lookup peeks, Update pushes).
    /// </summary>
    public bool TryLookupAndDelete(ReadOnlySpan<byte> key, Span<byte> value)
    {
        CheckKey(key);
        CheckValue(value.Length);
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var errno = MapSyscalls.LookupAndDelete(Handle, key.IsEmpty ? null : k, v);
            if (errno == Errno.ENOENT)
                return false;
            if (errno != 0)
                throw BpfErrors.MapOperation("BPF_MAP_LOOKUP_AND_DELETE_ELEM", Name, errno, ExplainElementError(errno));
            return true;
        }
    }

    /// <summary>Creates or replaces the entry, as <paramref name="flags"/> says.</summary>
    public void Update(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, UpdateFlags flags = UpdateFlags.Any)
    {
        CheckKey(key);
        CheckValue(value.Length);
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var errno = MapSyscalls.Update(Handle, key.IsEmpty ? null : k, v, (ulong)flags);
            if (errno != 0)
                throw UpdateFailed(errno, flags, key, null);
        }
    }

    /// <summary>Removes the entry; false when it was absent.</summary>
    public bool TryDelete(ReadOnlySpan<byte> key)
    {
        CheckKey(key);
        fixed (byte* k = key)
        {
            var errno = MapSyscalls.Delete(Handle, k);
            if (errno == Errno.ENOENT)
                return false;
            if (errno != 0)
                throw BpfErrors.MapOperation("BPF_MAP_DELETE_ELEM", Name, errno, ExplainElementError(errno));
            return true;
        }
    }

    /// <summary>Removes the entry; <see cref="KeyNotFoundException"/> when absent.</summary>
    public void Delete(ReadOnlySpan<byte> key)
    {
        if (!TryDelete(key))
            throw KeyNotFound(key, null);
    }

    /// <summary>
    /// The key after <paramref name="key"/> in the kernel's iteration order; an empty <paramref name="key"/> asks for
    /// the first. False at the end.
    /// </summary>
    public bool TryGetNextKey(ReadOnlySpan<byte> key, Span<byte> nextKey)
    {
        if (!key.IsEmpty)
            CheckKey(key);
        if (nextKey.Length < KeySize)
            throw new ArgumentException($"map '{Name}' has {KeySize}-byte keys; the buffer holds {nextKey.Length}", nameof(nextKey));
        fixed (byte* k = key)
        fixed (byte* n = nextKey)
        {
            var errno = MapSyscalls.GetNextKey(Handle, key.IsEmpty ? null : k, n);
            if (errno == Errno.ENOENT)
                return false;
            if (errno != 0)
                throw BpfErrors.MapOperation("BPF_MAP_GET_NEXT_KEY", Name, errno, ExplainElementError(errno));
            return true;
        }
    }

    /// <summary>Every key, read with BPF_MAP_GET_NEXT_KEY (entries changed meanwhile may be missed or repeated).</summary>
    public IEnumerable<byte[]> Keys => EnumerateKeys();

    private IEnumerable<byte[]> EnumerateKeys()
    {
        var current = Array.Empty<byte>();
        while (true)
        {
            var next = new byte[KeySize];
            if (!TryGetNextKey(current, next))
                yield break;
            yield return next;
            current = next;
        }
    }

    /// <summary>Makes the map read-only for user space (programs may still write unless the map is BPF_F_RDONLY_PROG).</summary>
    public void Freeze()
    {
        var errno = MapSyscalls.Freeze(Handle);
        if (errno != 0)
            throw BpfErrors.MapOperation("BPF_MAP_FREEZE", Name, errno);
    }

    /// <summary>Pins the map in bpffs at <paramref name="path"/>, so it outlives this process.</summary>
    public void Pin(string path)
    {
        var errno = Sys.ObjPin(Handle, path);
        if (errno != 0)
            throw BpfErrors.MapOperation("BPF_OBJ_PIN", Name, errno,
                errno == Errno.EEXIST ? $"{path} already exists" :
                errno is Errno.ENOENT or Errno.EPERM ? $"{path} must be inside a mounted BPF file system (mount -t bpf bpf /sys/fs/bpf)" : null);
    }

    /// <summary>Closes the descriptor (and the memory mapping); the kernel frees the map once nothing else holds it.</summary>
    public void Dispose()
    {
        Mapping?.Dispose();
        handle?.Dispose();
    }

    public override string ToString() => Spec.ToString();

    private void ThrowIfCreated(string property)
    {
        if (handle is not null)
            throw new InvalidOperationException($"map '{Name}' is already created: set {property} before BpfObject.Load()");
    }

    internal void CheckKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
            throw new ArgumentException($"map '{Name}' has {KeySize}-byte keys, got {key.Length} bytes", nameof(key));
    }

    private void CheckValue(int length)
    {
        if (length != ValueBufferSize)
            throw new ArgumentException(IsPerCpu
                ? $"per-CPU map '{Name}' needs {ValueBufferSize} value bytes ({CpuList.PossibleCount} possible CPUs x {ValueSize} bytes rounded up to 8), got {length}"
                : $"map '{Name}' has {ValueSize}-byte values, got {length} bytes", "value");
    }

    /// <summary>Messages for element operations the kernel refuses for a reason other than a missing key.</summary>
    internal string? ExplainElementError(int errno) => errno switch
    {
        Errno.EINVAL when Type is MapType.Array or MapType.PerCpuArray or MapType.ProgArray or MapType.ArrayOfMaps =>
            "array entries always exist and cannot be deleted, and the index must be below max_entries",
        Errno.EINVAL => "the kernel rejected the key, value or flags for this map type",
        Errno.EPERM when (Spec.Flags & 0x10 /* BPF_F_RDONLY */) != 0 => "the map is read-only for user space",
        Errno.EPERM => "the map is frozen (read-only for user space) or " + Privileges.Explain("CAP_BPF"),
        Errno.E2BIG => $"the map is full (max_entries {MaxEntries}) or the index is out of range",
        Errno.EOPNOTSUPP or Errno.ENOTSUPP => $"{Type} maps do not support this operation from user space",
        Errno.EBADF => "a descriptor in the value (program, map or socket) is not valid",
        _ => null,
    };

    internal Exception UpdateFailed(int errno, UpdateFlags flags, ReadOnlySpan<byte> key, string? keyText)
    {
        if (errno == Errno.EEXIST && (flags & UpdateFlags.NoExist) != 0)
            return new BpfException($"map '{Name}' already has key {keyText ?? Hex(key)} (UpdateFlags.NoExist)",
                                    errno, "BPF_MAP_UPDATE_ELEM", Name);
        if (errno == Errno.ENOENT && (flags & UpdateFlags.Exist) != 0)
            return new KeyNotFoundException($"map '{Name}' has no key {keyText ?? Hex(key)} to replace (UpdateFlags.Exist)");
        return BpfErrors.MapOperation("BPF_MAP_UPDATE_ELEM", Name, errno, ExplainElementError(errno));
    }

    internal KeyNotFoundException KeyNotFound(ReadOnlySpan<byte> key, string? keyText) =>
        new($"map '{Name}' has no key {keyText ?? Hex(key)}");

    internal static string Hex(ReadOnlySpan<byte> bytes) =>
        bytes.Length == 0 ? "(empty)" : "0x" + Convert.ToHexString(bytes).ToLowerInvariant() + " (bytes in memory order)";
}
