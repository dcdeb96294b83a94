using Ebpf.Internal;
using Ebpf.Programs;

namespace Ebpf.Links;

/// <summary>BpfLink.Update and UpdatePinned: BPF_LINK_UPDATE, with the kernel's refusals turned into what to do about them.</summary>
internal static class LinkUpdater
{
    public static void Update(BpfFd link, BpfProgram program, string what)
    {
        if (LinkSyscalls.Update(link, program.Handle, out var errno))
            return;
        throw new BpfAttachException($"cannot make {what} run {program.Describe()} (BPF_LINK_UPDATE): {Errno.Describe(errno)}" + errno switch
        {
            Errno.EINVAL => "; the new program must have the link's program type and attach type, and the link must be of a kind that can change its program (cgroup, XDP, tcx, netns, sockmap; tracing and perf-event links cannot: detach those and attach the new program)",
            Errno.EOPNOTSUPP or Errno.ENOTSUPP => "; this kind of link cannot change its program: detach it and attach the new program",
            Errno.ENOLINK => "; the link was detached from its hook already",
            Errno.EPERM => "; updating a link needs the capabilities its attach needed (CAP_BPF with CAP_NET_ADMIN for network hooks, or root)",
            _ => "",
        }, errno);
    }
}
