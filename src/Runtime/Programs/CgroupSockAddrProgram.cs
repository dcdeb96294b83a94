using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;

namespace Ebpf;

/// <summary>A CGROUP_SOCK_ADDR program: sees and may rewrite addresses in bind/connect/sendmsg/recvmsg/getpeername/getsockname (cgroup/connect4, ...).</summary>
public sealed class CgroupSockAddrProgram : BpfProgram
{
    internal CgroupSockAddrProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }

    /// <summary>
    /// Attaches to the cgroup v2 directory <paramref name="cgroupPath"/> (absolute, or relative to the cgroup2
    /// mount) through a bpf_link, at the hook named by the program's section. Applies to the cgroup and its descendants.
    /// </summary>
    public BpfLink AttachCgroup(string cgroupPath) => CgroupAttach.Attach(this, cgroupPath);
}
