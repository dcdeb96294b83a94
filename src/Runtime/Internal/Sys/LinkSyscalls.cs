namespace Ebpf.Internal;

/// <summary>The kernel's view of a bpf_link (the head of <c>struct bpf_link_info</c> and the members we read).</summary>
internal readonly record struct LinkInfo(uint Type, uint Id, uint ProgramId, uint IfIndex, uint AttachType, ulong CgroupId);

/// <summary>bpf(2) commands for links: create, detach, enumerate, describe.</summary>
internal static unsafe class LinkSyscalls
{
    // enum bpf_link_type values read back from bpf_link_info.
    public const uint LinkTypeRawTracepoint = 1, LinkTypeTracing = 2, LinkTypeCgroup = 3, LinkTypeXdp = 6,
                      LinkTypePerfEvent = 7, LinkTypeTcx = 11, LinkTypeSockmap = 14;

    /// <summary>BPF_LINK_CREATE; the new link's fd, or null with <paramref name="errno"/> set.</summary>
    public static BpfFd? Create(ref LinkCreateAttr attr, out int errno)
    {
        var fd = BpfSyscall.Call(BpfCommand.LinkCreate, ref attr, out errno);
        return fd < 0 ? null : new BpfFd(fd);
    }

    /// <summary>BPF_RAW_TRACEPOINT_OPEN; <paramref name="name"/> null for tp_btf programs.</summary>
    public static BpfFd? RawTracepointOpen(BpfFd prog, string? name, out int errno)
    {
        var bytes = name is null ? null : System.Text.Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* p = bytes)
        {
            var attr = new RawTracepointOpenAttr { Name = (ulong)p, ProgFd = prog.Value };
            var fd = BpfSyscall.Call(BpfCommand.RawTracepointOpen, ref attr, out errno);
            GC.KeepAlive(prog);
            return fd < 0 ? null : new BpfFd(fd);
        }
    }

    /// <summary>BPF_LINK_UPDATE: the link runs <paramref name="program"/> from now on, swapped atomically (no moment without a program).</summary>
    public static bool Update(BpfFd link, BpfFd program, out int errno)
    {
        var attr = new LinkUpdateAttr { LinkFd = link.Value, NewProgFd = program.Value };
        var r = BpfSyscall.Call(BpfCommand.LinkUpdate, ref attr, out errno);
        GC.KeepAlive(link);
        GC.KeepAlive(program);
        return r == 0;
    }

    /// <summary>BPF_LINK_DETACH: cuts the link from its hook while fds to it stay open.</summary>
    public static bool Detach(BpfFd link, out int errno)
    {
        var attr = new IdAttr { Id = (uint)link.Value };
        var r = BpfSyscall.Call(BpfCommand.LinkDetach, ref attr, out errno);
        GC.KeepAlive(link);
        return r == 0;
    }

    /// <summary>The ids of every link in the system (BPF_LINK_GET_NEXT_ID).</summary>
    public static IEnumerable<uint> AllIds()
    {
        uint id = 0;
        while (Sys.LinkGetNextId(id, out id) == 0)
            yield return id;
    }

    /// <summary>An fd for link <paramref name="id"/>, or null when it is gone.</summary>
    public static BpfFd? OpenById(uint id, out int errno) => Sys.LinkGetFdById(id, out errno);

    /// <summary>BPF_OBJ_GET_INFO_BY_FD on a link.</summary>
    public static LinkInfo? Info(BpfFd link)
    {
        // struct bpf_link_info: type, id, prog_id, then a union aligned to 8 (offset 16) whose first
        // members are { ifindex } for XDP, { ifindex, attach_type } for tcx, { cgroup_id, attach_type } for cgroups.
        var buf = stackalloc byte[128];
        new Span<byte>(buf, 128).Clear();
        if (Sys.ObjGetInfoByFd(link, buf, 128) != 0)
            return null;
        var type = *(uint*)buf;
        var u32a = *(uint*)(buf + 16);
        var u32b = *(uint*)(buf + 20);
        var u64 = *(ulong*)(buf + 16);
        var attach = type == LinkTypeCgroup ? *(uint*)(buf + 24) : u32b;
        return new LinkInfo(type, *(uint*)(buf + 4), *(uint*)(buf + 8), u32a, attach, type == LinkTypeCgroup ? u64 : 0);
    }
}
