using Ebpf.Internal;
using Ebpf.Object;
using Ebpf.Programs;

namespace Ebpf.Links;

/// <summary>tc programs through tcx (BPF_LINK_CREATE with BPF_TCX_INGRESS/EGRESS, Linux 6.6+): no qdisc, a link per program.</summary>
internal static class TcxAttach
{
    public static BpfLink Attach(BpfProgram program, int ifindex, TcDirection direction)
    {
        var type = direction == TcDirection.Ingress ? AttachType.TcxIngress : AttachType.TcxEgress;
        var name = XdpAttach.InterfaceName(ifindex)
            ?? throw new BpfAttachException($"cannot attach {program.Describe()}: no interface with index {ifindex} in this network namespace",
                                            Errno.ENODEV);
        var attr = new LinkCreateAttr { ProgFd = program.Handle.Value, Target = ifindex, AttachType = (uint)type };
        var link = LinkSyscalls.Create(ref attr, out var errno);
        GC.KeepAlive(program);
        if (link is null)
        {
            var head = $"cannot attach {program.Describe()} to {name} (ifindex {ifindex}) {direction.ToString().ToLowerInvariant()} through tcx: {Errno.Describe(errno)}";
            throw new BpfAttachException(errno switch
            {
                Errno.EINVAL => head + "; this kernel may lack tcx (Linux 6.6+), or the program was loaded for the other direction "
                                     + $"(expected attach type {program.Spec.ExpectedAttachType})",
                Errno.EPERM or Errno.EACCES => head + "; attaching tc programs needs CAP_NET_ADMIN and CAP_BPF (run as root)",
                _ => head,
            }, errno);
        }
        return new BpfLink(program, $"tcx {direction.ToString().ToLowerInvariant()} '{program.Name}' on {name} (ifindex {ifindex})", link);
    }
}
