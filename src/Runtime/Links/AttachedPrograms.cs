using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;
using Ebpf.Programs;

namespace Ebpf.Links;

/// <summary>A program attached to a hook, as the kernel reports it (BPF_PROG_QUERY, then the program's info).</summary>
/// <param name="Id">The program's kernel id (bpftool prog show id N).</param>
/// <param name="Name">The kernel's name of the program (its first 15 bytes), or null when the program could not be
/// opened to read it (it went away meanwhile, or this process lacks CAP_SYS_ADMIN).</param>
/// <param name="Type">The program's type, or null with <paramref name="Name"/>.</param>
public sealed record AttachedProgram(uint Id, string? Name, ProgramType? Type)
{
    public override string ToString() => Name is null ? $"program {Id}" : $"{Name} (id {Id}, {Type})";
}

/// <summary>
/// Which programs are attached to a hook: the runtime's BPF_PROG_QUERY, what <c>bpftool cgroup show</c> prints.
/// </summary>
public static class AttachedPrograms
{
    /// <summary>
    /// The programs attached to the cgroup v2 directory <paramref name="cgroupPath"/> (absolute, or relative to the
    /// cgroup2 mount) at <paramref name="hook"/>, in the order the kernel runs them. With
    /// <paramref name="effective"/>, also those inherited from ancestor cgroups, which are the ones that run for
    /// its processes. Needs CAP_NET_ADMIN; reading the names needs CAP_SYS_ADMIN too.
    /// </summary>
    public static IReadOnlyList<AttachedProgram> OnCgroup(string cgroupPath, CgroupHook hook, bool effective = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(cgroupPath);
        if (!Enum.IsDefined(hook))
            throw new ArgumentOutOfRangeException(nameof(hook), hook, $"{(uint)hook} is not a cgroup hook (see CgroupHook)");
        var resolved = CgroupPath.Resolve(cgroupPath);
        using var cgroup = CgroupPath.Open(resolved);
        var ids = Query(cgroup.Value, (AttachType)hook, effective ? ProgQueryAttr.QueryEffective : 0,
                        errno => $"cannot list the {hook} programs of cgroup '{resolved}' (BPF_PROG_QUERY): {Errno.Describe(errno)}" + errno switch
                        {
                            Errno.EBADF => $"; '{resolved}' is not a cgroup v2 directory (the cgroup v2 hierarchy is at {CgroupPath.FindCgroup2Mount() ?? "no mount"})",
                            Errno.EPERM or Errno.EACCES => "; listing a cgroup's programs needs CAP_NET_ADMIN (run as root)",
                            Errno.EINVAL => $"; the kernel does not know the cgroup hook {hook}",
                            _ => "",
                        });
        return ids.Select(Describe).ToArray();
    }

    /// <summary>
    /// The tc programs attached through tcx (Linux 6.6+) to the interface <paramref name="ifindex"/> of the calling
    /// thread's network namespace, in <paramref name="direction"/>, in the order they run. Programs attached through
    /// a clsact qdisc (netlink tc filters) are not tcx's and are not listed. Needs CAP_NET_ADMIN.
    /// </summary>
    public static IReadOnlyList<AttachedProgram> OnInterface(int ifindex, TcDirection direction)
    {
        var name = XdpAttach.InterfaceName(ifindex)
            ?? throw new BpfAttachException($"cannot list the tcx programs of interface {ifindex}: no interface with that index in this network namespace",
                                            Errno.ENODEV);
        var type = direction == TcDirection.Ingress ? AttachType.TcxIngress : AttachType.TcxEgress;
        var ids = Query(ifindex, type, 0,
                        errno => $"cannot list the tcx {direction.ToString().ToLowerInvariant()} programs of {name} (BPF_PROG_QUERY): {Errno.Describe(errno)}" + errno switch
                        {
                            Errno.EINVAL => "; this kernel may lack tcx (Linux 6.6+)",
                            Errno.EPERM or Errno.EACCES => "; listing an interface's programs needs CAP_NET_ADMIN (run as root)",
                            _ => "",
                        });
        return ids.Select(Describe).ToArray();
    }

    /// <summary><see cref="OnInterface(int, TcDirection)"/> by interface name.</summary>
    public static IReadOnlyList<AttachedProgram> OnInterface(string name, TcDirection direction) =>
        OnInterface(InterfaceIndex.Of(name, "list the tcx programs of an interface"), direction);

    /// <summary>BPF_PROG_QUERY on <paramref name="target"/> (a cgroup's fd, or an ifindex for tcx).</summary>
    private static unsafe uint[] Query(int target, AttachType attachType, uint flags, Func<int, string> explain)
    {
        // The kernel fills as many ids as there is room for and reports how many there are: grow and ask again.
        var ids = new uint[16];
        while (true)
        {
            int errno;
            ProgQueryAttr attr;
            fixed (uint* p = ids)
            {
                attr = new ProgQueryAttr { Target = target, AttachType = (uint)attachType, QueryFlags = flags, ProgIds = (ulong)p, ProgCount = (uint)ids.Length };
                errno = Sys.ProgQuery(ref attr);
            }
            if (errno == 0)
                return ids[..(int)Math.Min(attr.ProgCount, (uint)ids.Length)];
            if (errno == Errno.ENOSPC && attr.ProgCount > ids.Length)
            {
                ids = new uint[attr.ProgCount];
                continue;
            }
            throw new BpfAttachException(explain(errno), errno);
        }
    }

    private static AttachedProgram Describe(uint id)
    {
        using var fd = Sys.ProgGetFdById(id, out _);
        if (fd is null)
            return new AttachedProgram(id, null, null);
        var info = ProgramInfo.Read(fd);
        return new AttachedProgram(id, info.Name, (ProgramType)info.Type);
    }
}
