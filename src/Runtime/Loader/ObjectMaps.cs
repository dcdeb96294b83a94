using System.Runtime.InteropServices;
using Ebpf.Errors;
using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Maps;
using Ebpf.Object;
using Ebpf.Programs;

namespace Ebpf.Loader;

/// <summary>
/// Creates one object map in the kernel (reusing a pin for LIBBPF_PIN_BY_NAME maps), gives data maps their
/// initial image, freezes .rodata and memory-maps BPF_F_MMAPABLE maps; and, once programs are loaded, fills
/// prog arrays and maps of maps that the C code initialised statically.
/// </summary>
internal static unsafe class ObjectMaps
{
    public static void Create(BpfMap map, string kernelName, BpfFd? btf, BpfObjectOptions options, IReadOnlyDictionary<string, GlobalData> globals)
    {
        var spec = map.Spec;
        if (spec.Pinning == PinType.ByName && TryReusePin(map, options))
            return;

        BpfFd? inner = null;
        try
        {
            if (spec.InnerMap is { } template)
                inner = MapCreator.Create(template, btf, null, MapCreatorName(template.Name));
            map.Attach(MapCreator.Create(spec, btf, inner, kernelName));
        }
        finally
        {
            // The outer map copies what it needs from the template; the template itself is not kept (as libbpf).
            inner?.Dispose();
        }

        if (spec.DataSection is { } section && globals.TryGetValue(section.Name, out var data))
            InitialiseData(map, data);
        if (spec.Pinning == PinType.ByName)
            Pin(map, options);
    }

    private static string MapCreatorName(string name) => name.Length > 15 ? name[..15] : name;

    /// <summary>Writes the section's image, freezes .rodata, and maps the value into memory when the map allows it.</summary>
    private static void InitialiseData(BpfMap map, GlobalData data)
    {
        var key = 0u;
        var image = data.InitialImage;
        if (image.Length > 0)
        {
            fixed (byte* value = image)
            {
                var errno = MapSyscalls.Update(map.Handle, &key, value, 0);
                if (errno != 0)
                    throw new BpfException($"cannot write the initial value of {data.Name} (BPF_MAP_UPDATE_ELEM): {Errno.Describe(errno)}",
                                           errno, "BPF_MAP_UPDATE_ELEM", data.Name);
            }
        }
        if (data.IsReadOnly)
        {
            var errno = MapSyscalls.Freeze(map.Handle);
            if (errno != 0)
                throw new BpfException($"cannot freeze {data.Name} (BPF_MAP_FREEZE): {Errno.Describe(errno)}", errno, "BPF_MAP_FREEZE", data.Name);
        }
        if ((map.Flags & MapSpec.FlagMmapable) != 0 && image.Length > 0)
        {
            // A frozen map can only be mapped read-only; the others read-write, shared with the programs.
            var page = (nuint)MemoryMapping.PageSize;
            var length = ((nuint)image.Length + page - 1) / page * page;
            map.Mapping = MemoryMapping.Map(map.Handle, length, writable: !data.IsReadOnly, 0, out var errno)
                ?? throw new BpfException($"cannot memory-map {data.Name} (mmap): {Errno.Describe(errno)}", errno, "mmap", data.Name);
        }
    }

    private static string PinPathOf(BpfMap map, BpfObjectOptions options) => Path.Combine(options.PinPath, map.Name);

    /// <summary>A pin of the same name and shape is reused; one of another shape is an error (libbpf's rule).</summary>
    private static bool TryReusePin(BpfMap map, BpfObjectOptions options)
    {
        var path = PinPathOf(map, options);
        var fd = Sys.ObjGet(path, out var errno);
        if (fd is null)
        {
            if (errno == Errno.ENOENT)
                return false;
            throw new BpfException($"cannot open the pinned map at {path} (BPF_OBJ_GET): {Errno.Describe(errno)}", errno, "BPF_OBJ_GET", map.Name);
        }
        errno = MapSyscalls.GetInfo(fd, out var info);
        var spec = map.Spec;
        MapCreator.Adjust(spec);
        if (errno != 0 || info.Type != (uint)spec.Type || info.KeySize != spec.KeySize || info.ValueSize != spec.ValueSize
            || info.MaxEntries != spec.MaxEntries || info.MapFlags != spec.Flags)
        {
            fd.Dispose();
            throw new BpfException(
                $"the map pinned at {path} does not match map '{map.Name}' (found type {(MapType)info.Type}, key {info.KeySize}, value "
                + $"{info.ValueSize}, max_entries {info.MaxEntries}, flags 0x{info.MapFlags:x}; the object wants {spec.Type}, key {spec.KeySize}, "
                + $"value {spec.ValueSize}, max_entries {spec.MaxEntries}, flags 0x{spec.Flags:x}): remove the pin (rm {path}) or fix the definition",
                Errno.EINVAL, "BPF_OBJ_GET", map.Name);
        }
        map.Attach(fd);
        return true;
    }

    private static void Pin(BpfMap map, BpfObjectOptions options)
    {
        var path = PinPathOf(map, options);
        var errno = Sys.ObjPin(map.Handle, path);
        if (errno != 0)
            throw new BpfException(
                $"cannot pin map '{map.Name}' at {path} (BPF_OBJ_PIN): {Errno.Describe(errno)}"
                + (errno is Errno.ENOENT or Errno.EPERM ? $"; {options.PinPath} must be a directory in a mounted BPF file system (mount -t bpf bpf /sys/fs/bpf)" : ""),
                errno, "BPF_OBJ_PIN", map.Name);
    }

    /// <summary>Static `.values = { [i] = &amp;x }` initialisers: program fds into prog arrays, map fds into maps of maps.</summary>
    public static void FillInitialSlots(IReadOnlyList<BpfMap> maps, IReadOnlyDictionary<string, BpfMap> byName,
                                        IReadOnlyDictionary<string, BpfProgram> programs)
    {
        foreach (var map in maps)
        {
            foreach (var slot in map.Spec.InitialSlots)
            {
                int fd;
                if (map.Type == MapType.ProgArray)
                    fd = programs.TryGetValue(slot.Symbol, out var program) ? program.Fd
                        : throw new BpfException($"prog array '{map.Name}' slot {slot.Index} names program '{slot.Symbol}', which was not loaded", 0, "initialise", map.Name);
                else
                    fd = byName.TryGetValue(slot.Symbol, out var inner) ? inner.Fd
                        : throw new BpfException($"map '{map.Name}' slot {slot.Index} names map '{slot.Symbol}', which the object does not define", 0, "initialise", map.Name);
                var key = slot.Index;
                var value = (uint)fd;
                var errno = MapSyscalls.Update(map.Handle, &key, &value, 0);
                if (errno != 0)
                    throw new BpfException($"cannot put '{slot.Symbol}' in slot {slot.Index} of map '{map.Name}' (BPF_MAP_UPDATE_ELEM): {Errno.Describe(errno)}",
                                           errno, "BPF_MAP_UPDATE_ELEM", map.Name);
            }
        }
    }
}
