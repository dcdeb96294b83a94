using Ebpf.Maps;

namespace Ebpf.Internal;

/// <summary>
/// The map element commands over raw pointers. Callers pass pointers into stack memory or pinned spans, so a
/// lookup or update allocates nothing. Each returns the errno (0 on success). The descriptor is referenced for
/// the duration of the call, so a map disposed on another thread fails cleanly instead of the call landing on
/// whatever object reused the descriptor number.
/// </summary>
internal static unsafe class MapSyscalls
{
    private static int Elem(BpfCommand command, BpfFd map, void* key, void* value, ulong flags)
    {
        var added = false;
        try
        {
            map.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            throw new ObjectDisposedException("BpfMap", "the map was disposed while an operation on it was starting");
        }
        try
        {
            var attr = new MapElemAttr { MapFd = map.Value, Key = (ulong)key, Value = (ulong)value, Flags = flags };
            BpfSyscall.Call(command, ref attr, out var errno);
            return errno;
        }
        finally
        {
            if (added)
                map.DangerousRelease();
        }
    }

    public static int Lookup(BpfFd map, void* key, void* value, ulong flags = 0) =>
        Elem(BpfCommand.MapLookupElem, map, key, value, flags);

    public static int Update(BpfFd map, void* key, void* value, ulong flags) =>
        Elem(BpfCommand.MapUpdateElem, map, key, value, flags);

    public static int Delete(BpfFd map, void* key) => Elem(BpfCommand.MapDeleteElem, map, key, null, 0);

    /// <summary>The key after <paramref name="key"/> (the first key when it is null); ENOENT at the end.</summary>
    public static int GetNextKey(BpfFd map, void* key, void* nextKey) => Elem(BpfCommand.MapGetNextKey, map, key, nextKey, 0);

    public static int LookupAndDelete(BpfFd map, void* key, void* value) =>
        Elem(BpfCommand.MapLookupAndDeleteElem, map, key, value, 0);

    public static int Freeze(BpfFd map)
    {
        var attr = new MapFdAttr { MapFd = map.Value };
        BpfSyscall.Call(BpfCommand.MapFreeze, ref attr, out var errno);
        return errno;
    }

    /// <summary>bpf_map_info of an open map.</summary>
    public static int GetInfo(BpfFd fd, out MapInfo info)
    {
        info = default;
        fixed (MapInfo* p = &info)
            return Sys.ObjGetInfoByFd(fd, p, (uint)sizeof(MapInfo));
    }
}
