using System.Text;

namespace Ebpf.Internal;

/// <summary>
/// Typed wrappers of the bpf(2) commands, like cilium/ebpf's internal/sys: a caller fills the command's
/// attribute struct (declared in this folder) and gets a descriptor or an errno back, never calling
/// <see cref="BpfSyscall"/> itself. Commands that make an object return its <see cref="BpfFd"/> (null with the
/// errno on failure); the others return the errno, 0 on success. The element and batch commands, whose speed
/// matters, are in <see cref="MapSyscalls"/> and <see cref="BatchSyscalls"/>, the link commands in <see cref="LinkSyscalls"/>.
/// </summary>
internal static unsafe class Sys
{
    /// <summary>BPF_MAP_CREATE.</summary>
    public static BpfFd? MapCreate(ref MapCreateAttr attr, out int errno) =>
        Fd(BpfSyscall.Call(BpfCommand.MapCreate, ref attr, out errno));

    /// <summary>BPF_PROG_LOAD; the kernel writes the verifier log into attr.LogBuf and its needed size into attr.LogTrueSize.</summary>
    public static BpfFd? ProgLoad(ref ProgLoadAttr attr, out int errno) =>
        Fd(BpfSyscall.Call(BpfCommand.ProgLoad, ref attr, out errno));

    /// <summary>BPF_BTF_LOAD.</summary>
    public static BpfFd? BtfLoad(ref BtfLoadAttr attr, out int errno) =>
        Fd(BpfSyscall.Call(BpfCommand.BtfLoad, ref attr, out errno));

    /// <summary>BPF_PROG_TEST_RUN; the kernel writes the return value, sizes and duration back into <paramref name="attr"/>.</summary>
    public static int ProgTestRun(ref TestRunAttr attr)
    {
        BpfSyscall.Call(BpfCommand.ProgTestRun, ref attr, out var errno);
        return errno;
    }

    /// <summary>BPF_PROG_QUERY; the kernel writes the ids and their count back into <paramref name="attr"/> (also on ENOSPC).</summary>
    public static int ProgQuery(ref ProgQueryAttr attr)
    {
        BpfSyscall.Call(BpfCommand.ProgQuery, ref attr, out var errno);
        return errno;
    }

    /// <summary>BPF_PROG_BIND_MAP: <paramref name="map"/> lives as long as <paramref name="program"/>.</summary>
    public static int ProgBindMap(BpfFd program, BpfFd map)
    {
        var attr = new ProgBindMapAttr { ProgFd = program.Value, MapFd = map.Value };
        BpfSyscall.Call(BpfCommand.ProgBindMap, ref attr, out var errno);
        GC.KeepAlive(program);
        GC.KeepAlive(map);
        return errno;
    }

    /// <summary>BPF_ENABLE_STATS: the statistics stay on while the returned descriptor is open.</summary>
    public static BpfFd? EnableStats(uint type, out int errno)
    {
        var attr = new EnableStatsAttr { Type = type };
        return Fd(BpfSyscall.Call(BpfCommand.EnableStats, ref attr, out errno));
    }

    /// <summary>BPF_PROG_GET_FD_BY_ID: a program known only by its id (needs CAP_SYS_ADMIN); ENOENT when it is gone.</summary>
    public static BpfFd? ProgGetFdById(uint id, out int errno) => ById(BpfCommand.ProgGetFdById, id, out errno);

    /// <summary>BPF_MAP_GET_FD_BY_ID.</summary>
    public static BpfFd? MapGetFdById(uint id, out int errno) => ById(BpfCommand.MapGetFdById, id, out errno);

    /// <summary>BPF_LINK_GET_FD_BY_ID.</summary>
    public static BpfFd? LinkGetFdById(uint id, out int errno) => ById(BpfCommand.LinkGetFdById, id, out errno);

    /// <summary>BPF_BTF_GET_FD_BY_ID.</summary>
    public static BpfFd? BtfGetFdById(uint id, out int errno) => ById(BpfCommand.BtfGetFdById, id, out errno);

    /// <summary>BPF_LINK_GET_NEXT_ID: the id after <paramref name="start"/>; ENOENT after the last.</summary>
    public static int LinkGetNextId(uint start, out uint next) => NextId(BpfCommand.LinkGetNextId, start, out next);

    /// <summary>BPF_BTF_GET_NEXT_ID: the id after <paramref name="start"/>; ENOENT after the last.</summary>
    public static int BtfGetNextId(uint start, out uint next) => NextId(BpfCommand.BtfGetNextId, start, out next);

    /// <summary>BPF_OBJ_PIN: pins the map, program or link <paramref name="fd"/> at <paramref name="path"/> in a BPF file system.</summary>
    public static int ObjPin(BpfFd fd, string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            var attr = new ObjPinAttr { PathName = (ulong)p, BpfFd = fd.Value };
            BpfSyscall.Call(BpfCommand.ObjPin, ref attr, out var errno);
            GC.KeepAlive(fd);
            return errno;
        }
    }

    /// <summary>BPF_OBJ_GET: a new descriptor for the object pinned at <paramref name="path"/>.</summary>
    public static BpfFd? ObjGet(string path, out int errno)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            var attr = new ObjPinAttr { PathName = (ulong)p };
            return Fd(BpfSyscall.Call(BpfCommand.ObjGet, ref attr, out errno));
        }
    }

    /// <summary>
    /// BPF_OBJ_GET_INFO_BY_FD: the kernel fills up to <paramref name="size"/> bytes of the object's info struct at
    /// <paramref name="info"/> (members the buffer has room for; pointer members set by the caller are filled too).
    /// </summary>
    public static int ObjGetInfoByFd(BpfFd fd, void* info, uint size)
    {
        var attr = new ObjInfoAttr { BpfFd = fd.Value, InfoLen = size, Info = (ulong)info };
        BpfSyscall.Call(BpfCommand.ObjGetInfoByFd, ref attr, out var errno);
        GC.KeepAlive(fd);
        return errno;
    }

    private static BpfFd? ById(BpfCommand command, uint id, out int errno)
    {
        var attr = new IdAttr { Id = id };
        return Fd(BpfSyscall.Call(command, ref attr, out errno));
    }

    private static int NextId(BpfCommand command, uint start, out uint next)
    {
        var attr = new IdAttr { Id = start };
        BpfSyscall.Call(command, ref attr, out var errno);
        next = errno == 0 ? attr.NextId : 0;
        return errno;
    }

    private static BpfFd? Fd(int result) => result >= 0 ? new BpfFd(result) : null;
}
