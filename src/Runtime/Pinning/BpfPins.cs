using Ebpf.Internal;
using Ebpf.Object;

namespace Ebpf;

/// <summary>
/// Pinning and opening pinned programs, and unpinning anything (maps pin and reopen themselves with
/// <see cref="BpfMap.Pin"/> and <see cref="BpfMap.OpenPinned"/>, links pin with <see cref="BpfLink.Pin"/>). A pin keeps the kernel object alive until the file is deleted with
/// <see cref="Unpin"/>; another process opens it by path.
/// </summary>
public static class BpfPins
{
    /// <summary>Pins a loaded program at <paramref name="path"/> (inside bpffs).</summary>
    public static void Pin(BpfProgram program, string path)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var errno = Sys.ObjPin(program.Handle, path);
        GC.KeepAlive(program);
        if (errno != 0)
            throw new BpfException($"pinning program '{program.Name}' at {path} failed: {Errno.Describe(errno)}{PathHint(path, errno)}",
                errno, "BPF_OBJ_PIN", program.Name);
    }

    /// <summary>
    /// Opens the program pinned at <paramref name="path"/> as the class of its type. Its section name, attach type and
    /// attach target are unknown (the kernel does not keep them), so only attach methods that take their target as
    /// arguments (XDP, cgroup, tc, socket filter) work on it.
    /// </summary>
    public static BpfProgram OpenProgram(string path)
    {
        var fd = Get(path, "program");
        try
        {
            if (!ProgramInfo.TryRead(fd, out var info, out var errno))
                throw new BpfException($"{path} is pinned, but reading its program info failed: {Errno.Describe(errno)}", errno, "BPF_OBJ_GET_INFO_BY_FD", path);
            var name = info.Name;
            var spec = new ProgramSpec(name.Length > 0 ? name : Path.GetFileName(path), "", (ProgramType)info.Type, 0, 0, null, false, "", 0, []);
            return BpfProgram.Create(spec, fd);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Deletes the pin at <paramref name="path"/>; the object goes away when nothing else holds it.</summary>
    public static void Unpin(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"nothing is pinned at {path}", path);
        if (!BpfFileSystem.IsBpfFs(path))
            throw new IOException($"{path} is not in a BPF file system; refusing to delete an ordinary file");
        File.Delete(path);
    }

    private static BpfFd Get(string path, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Sys.ObjGet(path, out var errno)
            ?? throw new BpfException($"opening the {what} pinned at {path} failed: {Errno.Describe(errno)}{PathHint(path, errno)}", errno, "BPF_OBJ_GET", path);
    }

    private static string PathHint(string path, int errno) => errno switch
    {
        Errno.EEXIST => $"; {path} exists already (Unpin it first)",
        Errno.ENOENT => $"; nothing is pinned there, or its directory is not in a mounted BPF file system (BpfFileSystem.EnsureMounted)",
        Errno.EPERM => $"; the path must be inside a mounted BPF file system (BpfFileSystem.EnsureMounted), and pinning needs root",
        _ => "",
    };
}
