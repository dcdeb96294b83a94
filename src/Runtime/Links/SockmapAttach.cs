using Ebpf.Internal;
using Ebpf.Object;
using Ebpf.Programs;

namespace Ebpf.Links;

/// <summary>
/// sk_msg and sk_skb programs on a SOCKMAP/SOCKHASH. Linux 6.10+ has sockmap links (BPF_LINK_CREATE with the
/// map as target); older kernels only have BPF_PROG_ATTACH, whose attachment ends when the map is freed
/// rather than when the process ends. The fallback is taken only when the kernel rejects the link
/// (EINVAL), and the returned <see cref="BpfLink.IsKernelLink"/> says which one was used.
/// </summary>
internal static class SockmapAttach
{
    public static BpfLink Attach(BpfProgram program, BpfFd map, string mapName)
    {
        var type = program.Spec.AttachType;
        var allowed = program.Type == ProgramType.SkMsg
            ? new[] { AttachType.SkMsgVerdict }
            : new[] { AttachType.SkSkbStreamParser, AttachType.SkSkbStreamVerdict, AttachType.SkSkbVerdict };
        if (!allowed.Contains(type))
            throw new BpfAttachException(
                $"{program.Describe()} does not say which sockmap hook it is for: name its section sk_skb/stream_parser, "
                + "sk_skb/stream_verdict or sk_skb/verdict");
        var attr = new LinkCreateAttr { ProgFd = program.Handle.Value, Target = map.Value, AttachType = (uint)type };
        var link = LinkSyscalls.Create(ref attr, out var errno);
        GC.KeepAlive(program);
        GC.KeepAlive(map);
        var what = $"{type} '{program.Name}' on map '{mapName}'";
        if (link is not null)
            return new BpfLink(program, what, link);
        if (errno != Errno.EINVAL)
            throw new BpfAttachException(Explain(program, mapName, type, errno), errno);

        // No sockmap link on this kernel: attach the old way, detach on dispose.
        if (!ProgAttachSyscalls.Attach(map.Value, program.Handle, (uint)type, out errno))
            throw new BpfAttachException(Explain(program, mapName, type, errno), errno);
        var mapRef = map;
        var progRef = program.Handle;
        return new BpfLink(program, what + " (BPF_PROG_ATTACH: this kernel has no sockmap links)", null,
                           () => ProgAttachSyscalls.Detach(mapRef.Value, progRef, (uint)type, out _));
    }

    private static string Explain(BpfProgram program, string mapName, AttachType type, int errno)
    {
        var head = $"cannot attach {program.Describe()} to map '{mapName}' as {type}: {Errno.Describe(errno)}";
        return errno switch
        {
            Errno.EINVAL => head + "; the map must be a SOCKMAP or SOCKHASH and the program of the matching kind",
            Errno.EBUSY or Errno.EEXIST => head + $"; map '{mapName}' already has a {type} program: detach it first",
            Errno.EPERM or Errno.EACCES => head + "; attaching needs CAP_NET_ADMIN and CAP_BPF (run as root)",
            _ => head,
        };
    }
}
