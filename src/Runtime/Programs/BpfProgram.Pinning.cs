using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Maps;
using Ebpf.Object;

namespace Ebpf.Programs;

// Pin and OpenPinned, as on BpfMap and BpfLink.
public partial class BpfProgram
{
    /// <summary>Pins the loaded program at <paramref name="path"/> (inside bpffs), so it outlives this process; delete the
    /// pin with <see cref="BpfFileSystem.Unpin"/>.</summary>
    public void Pin(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var errno = Sys.ObjPin(Handle, path);
        GC.KeepAlive(this);
        if (errno != 0)
            throw new BpfException($"pinning program '{Name}' at {path} failed: {Errno.Describe(errno)}{PinHint(path, errno)}",
                errno, "BPF_OBJ_PIN", Name);
    }

    /// <summary>
    /// Opens the program pinned at <paramref name="path"/> as the class of its type. Its section name, attach type and
    /// attach target are unknown (the kernel does not keep them), so only attach methods that take their target as
    /// arguments (XDP, cgroup, tc, socket filter) work on it. Dispose it when done; the pin stays.
    /// </summary>
    public static BpfProgram OpenPinned(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fd = Sys.ObjGet(path, out var errno)
            ?? throw new BpfException($"opening the program pinned at {path} failed: {Errno.Describe(errno)}{PinHint(path, errno)}", errno, "BPF_OBJ_GET", path);
        try
        {
            if (!ProgramInfo.TryRead(fd, out var info, out errno))
                throw new BpfException($"{path} is pinned, but reading its program info failed: {Errno.Describe(errno)}"
                                       + (errno == Errno.EINVAL ? " (is it a map or a link? open those with BpfMap.OpenPinned or BpfLink.OpenPinned)" : ""),
                                       errno, "BPF_OBJ_GET_INFO_BY_FD", path);
            var name = info.Name;
            var spec = new ProgramSpec(name.Length > 0 ? name : Path.GetFileName(path), "", (ProgramType)info.Type, 0, 0, null, false, "", 0, []);
            return Create(spec, fd);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    private static string PinHint(string path, int errno) => errno switch
    {
        Errno.EEXIST => $"; {path} exists already (BpfFileSystem.Unpin it first)",
        Errno.ENOENT => "; nothing is pinned there, or its directory is not in a mounted BPF file system (BpfFileSystem.EnsureMounted)",
        Errno.EPERM => "; the path must be inside a mounted BPF file system (BpfFileSystem.EnsureMounted), and pinning needs root",
        _ => "",
    };
}
