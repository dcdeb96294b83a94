using Ebpf.Internal;
using Ebpf.Maps;
using Ebpf.Object;
using Ebpf.Programs;

namespace Ebpf.Links;

/// <summary>
/// BpfLink.OpenPinned: BPF_OBJ_GET on the pin, a check that the object is a link (its /proc/self/fdinfo entry has
/// a link_type line; maps and programs have map_type/prog_type), then the program it runs by id, so the
/// <see cref="BpfLink"/> has its <see cref="BpfLink.Program"/> like any other.
/// </summary>
internal static class PinnedLinkOpener
{
    public static BpfLink Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var link = OpenLinkFd(path);
        BpfFd? progFd = null;
        try
        {
            int errno;
            var info = LinkSyscalls.Info(link)
                ?? throw new BpfAttachException($"cannot read the info of the link pinned at {path} (BPF_OBJ_GET_INFO_BY_FD)");
            progFd = Sys.ProgGetFdById(info.ProgramId, out errno)
                ?? throw new BpfAttachException($"cannot open program {info.ProgramId} of the link pinned at {path} (BPF_PROG_GET_FD_BY_ID): {Errno.Describe(errno)}", errno);
            var progInfo = ProgramInfo.Read(progFd);
            // The kernel keeps no section name: the program is known by its kernel name only.
            var name = progInfo.Name.Length > 0 ? progInfo.Name : $"prog {info.ProgramId}";
            var spec = new ProgramSpec(name, "", (ProgramType)progInfo.Type, 0, 0, null, false, "", 0, []);
            var program = BpfProgram.Create(spec, progFd);
            // The program object exists only for this link: its descriptor closes with the link.
            return new BpfLink(program, $"link {info.Id} pinned at {path}", link, null, progFd);
        }
        catch
        {
            link.Dispose();
            progFd?.Dispose();
            throw;
        }
    }

    /// <summary>A descriptor for the link pinned at <paramref name="path"/> (BPF_OBJ_GET), checked to be a link.</summary>
    public static BpfFd OpenLinkFd(string path)
    {
        var link = Sys.ObjGet(path, out var errno)
            ?? throw new BpfAttachException($"cannot open the link pinned at {path} (BPF_OBJ_GET): {Errno.Describe(errno)}" + errno switch
            {
                Errno.ENOENT => "; nothing is pinned there",
                Errno.EINVAL or Errno.EPERM => "; the path must be a pin in a mounted BPF file system (mount -t bpf bpf /sys/fs/bpf)",
                _ => "",
            }, errno);
        var kind = ObjectKind(link.Value);
        if (kind == "link")
            return link;
        link.Dispose();
        throw new BpfAttachException($"cannot open {path} as a link: it is a pinned {kind ?? "object of unknown kind"}, not a bpf_link"
                                     + (kind is "map" ? " (open it with BpfMap.OpenPinned)" : kind is "program" ? " (open it with BpfProgram.OpenPinned)" : ""));
    }

    /// <summary>"link", "map" or "program" from the fd's /proc/self/fdinfo entry, or null.</summary>
    private static string? ObjectKind(int fd)
    {
        foreach (var line in File.ReadLines($"/proc/self/fdinfo/{fd}"))
        {
            if (line.StartsWith("link_type:", StringComparison.Ordinal))
                return "link";
            if (line.StartsWith("map_type:", StringComparison.Ordinal))
                return "map";
            if (line.StartsWith("prog_type:", StringComparison.Ordinal))
                return "program";
        }
        return null;
    }
}
