using System.Runtime.CompilerServices;
using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Maps;
using Ebpf.Object;

namespace Ebpf;

/// <summary>
/// One global data section (.rodata, .data, .bss, .data.foo, ...) of an object. Before <see cref="BpfObject.Load"/>
/// reads and writes go to the initial image the map will be created with (this is how .rodata constants are
/// set); after, to the live map: plain memory accesses when the map is memory-mapped (BPF_F_MMAPABLE, the
/// default), else one bpf(2) call. .rodata is frozen at load and refuses writes afterwards.
/// </summary>
public sealed unsafe class GlobalData
{
    private readonly byte[] image;

    internal GlobalData(DataSectionSpec section, BpfMap map)
    {
        Section = section;
        Map = map;
        image = (byte[])section.InitialValue.Clone();
    }

    /// <summary>The section name, e.g. ".rodata".</summary>
    public string Name => Section.Name;

    /// <summary>The section's size in bytes.</summary>
    public int Size => image.Length;

    /// <summary>What the reader found: kind, variables, initial value.</summary>
    public DataSectionSpec Section { get; }

    /// <summary>The single-entry array map that holds the section in the kernel.</summary>
    public BpfMap Map { get; }

    /// <summary>True for .rodata* (frozen at load: user space may no longer write it).</summary>
    public bool IsReadOnly => Section.Kind == DataSectionKind.ReadOnly;

    /// <summary>The image the map is created with (the section's bytes as changed by writes before load).</summary>
    internal ReadOnlySpan<byte> InitialImage => image;

    /// <summary>Reads a <typeparamref name="T"/> at byte <paramref name="offset"/>.</summary>
    public T Read<T>(int offset) where T : unmanaged
    {
        Check<T>(offset);
        if (!Map.IsCreated)
            return Unsafe.ReadUnaligned<T>(ref image[offset]);
        if (Map.Mapping is { } mapping)
        {
            // The reference keeps the pages mapped while we read, and turns a read after Dispose into an exception
            // instead of a read of unmapped memory.
            var added = false;
            try
            {
                AddRef(mapping, ref added);
                return Unsafe.ReadUnaligned<T>(mapping.Pointer + offset);
            }
            finally
            {
                if (added)
                    mapping.DangerousRelease();
            }
        }
        return ThroughSyscall<T>(offset, write: false, default);
    }

    /// <summary>Writes <paramref name="value"/> at byte <paramref name="offset"/>: to the initial image before load,
    /// to the live map after (not for .rodata, which is frozen then).</summary>
    public void Write<T>(int offset, T value) where T : unmanaged
    {
        Check<T>(offset);
        if (!Map.IsCreated)
        {
            Unsafe.WriteUnaligned(ref image[offset], value);
            return;
        }
        if (IsReadOnly)
            throw new InvalidOperationException(
                $"{Name} is read-only once the object is loaded (the kernel froze it so the verifier could trust its values): "
                + "set read-only globals between Open() and Load(), or declare the variable without const to change it at run time");
        if (Map.Mapping is { Writable: true } mapping)
        {
            var added = false;
            try
            {
                AddRef(mapping, ref added);
                Unsafe.WriteUnaligned(mapping.Pointer + offset, value);
            }
            finally
            {
                if (added)
                    mapping.DangerousRelease();
            }
            return;
        }
        ThroughSyscall(offset, write: true, value);
    }

    private void AddRef(MemoryMapping mapping, ref bool added)
    {
        try
        {
            mapping.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            throw new ObjectDisposedException($"global data {Name}", "the object that loaded it was disposed");
        }
    }

    /// <summary>Without a memory mapping (the map was made without BPF_F_MMAPABLE): read-modify-write the whole value.</summary>
    private T ThroughSyscall<T>(int offset, bool write, T value) where T : unmanaged
    {
        if (Map.Handle.IsClosed)
            throw new ObjectDisposedException($"global data {Name}", "the object that loaded it was disposed");
        var buffer = GC.AllocateUninitializedArray<byte>(image.Length, pinned: true);
        var key = 0u;
        fixed (byte* b = buffer)
        {
            var errno = MapSyscalls.Lookup(Map.Handle, &key, b);
            if (errno != 0)
                throw new BpfException($"cannot read global data {Name} (BPF_MAP_LOOKUP_ELEM): {Errno.Describe(errno)}", errno, "BPF_MAP_LOOKUP_ELEM", Name);
            if (!write)
                return Unsafe.ReadUnaligned<T>(b + offset);
            Unsafe.WriteUnaligned(b + offset, value);
            errno = MapSyscalls.Update(Map.Handle, &key, b, 0);
            if (errno != 0)
                throw new BpfException($"cannot write global data {Name} (BPF_MAP_UPDATE_ELEM): {Errno.Describe(errno)}", errno, "BPF_MAP_UPDATE_ELEM", Name);
            return value;
        }
    }

    private void Check<T>(int offset) where T : unmanaged
    {
        if (offset < 0 || (long)offset + sizeof(T) > image.Length)
            throw new ArgumentOutOfRangeException(nameof(offset),
                $"{typeof(T).Name} ({sizeof(T)} bytes) at offset {offset} is outside {Name} ({image.Length} bytes)");
    }

    public override string ToString() => $"{Name} ({Size} bytes)";
}
