using Ebpf.Internal;
using Ebpf.Object;
using Ebpf.Programs;

namespace Ebpf.Links;

/// <summary>Attaches cgroup programs with BPF_LINK_CREATE on a cgroup v2 directory named by path.</summary>
internal static class CgroupAttach
{
    /// <summary>The attach types each cgroup program type accepts.</summary>
    private static readonly Dictionary<ProgramType, AttachType[]> valid = new()
    {
        [ProgramType.SockOps] = [AttachType.CgroupSockOps],
        [ProgramType.CgroupSkb] = [AttachType.CgroupInetIngress, AttachType.CgroupInetEgress],
        [ProgramType.CgroupSock] = [AttachType.CgroupInetSockCreate, AttachType.CgroupInetSockRelease,
                                    AttachType.CgroupInet4PostBind, AttachType.CgroupInet6PostBind],
        [ProgramType.CgroupSockAddr] = [AttachType.CgroupInet4Bind, AttachType.CgroupInet6Bind, AttachType.CgroupInet4Connect,
            AttachType.CgroupInet6Connect, AttachType.CgroupUnixConnect, AttachType.CgroupUdp4Sendmsg, AttachType.CgroupUdp6Sendmsg,
            AttachType.CgroupUnixSendmsg, AttachType.CgroupUdp4Recvmsg, AttachType.CgroupUdp6Recvmsg, AttachType.CgroupUnixRecvmsg,
            AttachType.CgroupInet4Getpeername, AttachType.CgroupInet6Getpeername, AttachType.CgroupUnixGetpeername,
            AttachType.CgroupInet4Getsockname, AttachType.CgroupInet6Getsockname, AttachType.CgroupUnixGetsockname],
        [ProgramType.CgroupSockopt] = [AttachType.CgroupGetsockopt, AttachType.CgroupSetsockopt],
        [ProgramType.CgroupSysctl] = [AttachType.CgroupSysctl],
        [ProgramType.CgroupDevice] = [AttachType.CgroupDevice],
    };

    public static BpfLink Attach(BpfProgram program, string cgroupPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(cgroupPath);
        var type = program.Spec.AttachType;
        if (type == 0 && !program.Spec.HasAttachType)
            throw new BpfAttachException(
                $"{program.Describe()} does not say which cgroup hook it is for: section '{program.SectionName}' names none. "
                + "Name the section after the hook (e.g. cgroup_skb/ingress or cgroup_skb/egress, cgroup/connect4)");
        if (valid.TryGetValue(program.Type, out var allowed) && !allowed.Contains(type))
            throw new BpfAttachException(
                $"{program.Describe()} does not say which cgroup hook it is for (attach type {type}): name its section after the hook, "
                + $"one of {string.Join(", ", allowed)} (e.g. cgroup_skb/ingress, cgroup/connect4, cgroup/getsockopt)");
        var resolved = CgroupPath.Resolve(cgroupPath);
        using var cgroup = CgroupPath.Open(resolved);
        var attr = new LinkCreateAttr { ProgFd = program.Handle.Value, Target = cgroup.Value, AttachType = (uint)type };
        var link = LinkSyscalls.Create(ref attr, out var errno);
        GC.KeepAlive(program);
        if (link is null)
            throw new BpfAttachException(Explain(program, type, resolved, errno), errno);
        return new BpfLink(program, $"{type} '{program.Name}' on cgroup {resolved}", link);
    }

    private static string Explain(BpfProgram program, AttachType type, string cgroup, int errno)
    {
        var head = $"cannot attach {program.Describe()} to cgroup '{cgroup}' as {type}: {Errno.Describe(errno)}";
        return errno switch
        {
            Errno.EBADF => head + $"; '{cgroup}' is not a cgroup v2 directory (the cgroup v2 hierarchy is at {CgroupPath.FindCgroup2Mount() ?? "no mount"})",
            Errno.EPERM or Errno.EACCES => head + (Errno.IsRoot
                ? "; the kernel refused it although running as root (a security policy such as an LSM denies it)"
                : "; attaching cgroup programs needs CAP_NET_ADMIN and CAP_BPF (run as root)"),
            Errno.EINVAL => head + $"; the program was loaded for attach type {program.Spec.ExpectedAttachType}, "
                                 + "which must match the hook, or this kernel lacks bpf_link for this hook (Linux 5.7+)",
            _ => head,
        };
    }
}
