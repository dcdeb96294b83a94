using Ebpf.Internal;
using Ebpf.Object;

namespace Ebpf.Programs;

// The program kinds that attach to a cgroup: each is a CgroupProgram and differs only in what it sees.

/// <summary>A CGROUP_SKB program: filters packets of a cgroup's sockets (section cgroup_skb/ingress or cgroup_skb/egress).</summary>
public sealed class CgroupSkbProgram : CgroupProgram
{
    internal CgroupSkbProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }
}

/// <summary>A CGROUP_SOCK program: runs on socket creation, release or bind in a cgroup (cgroup/sock_create, cgroup/post_bind4, ...).</summary>
public sealed class CgroupSockProgram : CgroupProgram
{
    internal CgroupSockProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }
}

/// <summary>A CGROUP_SOCK_ADDR program: sees and may rewrite addresses in bind/connect/sendmsg/recvmsg/getpeername/getsockname (cgroup/connect4, ...).</summary>
public sealed class CgroupSockAddrProgram : CgroupProgram
{
    internal CgroupSockAddrProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }
}

/// <summary>A CGROUP_SOCKOPT program: intercepts getsockopt/setsockopt in a cgroup (cgroup/getsockopt, cgroup/setsockopt).</summary>
public sealed class CgroupSockoptProgram : CgroupProgram
{
    internal CgroupSockoptProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }
}

/// <summary>A CGROUP_SYSCTL program: filters /proc/sys accesses of a cgroup's processes (cgroup/sysctl).</summary>
public sealed class CgroupSysctlProgram : CgroupProgram
{
    internal CgroupSysctlProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }
}

/// <summary>A CGROUP_DEVICE program: device access control for a cgroup (cgroup/dev).</summary>
public sealed class CgroupDeviceProgram : CgroupProgram
{
    internal CgroupDeviceProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }
}

/// <summary>A SOCK_OPS program: sees TCP events (connection established, RTO, ...) of sockets in a cgroup.</summary>
public sealed class SockOpsProgram : CgroupProgram
{
    internal SockOpsProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }
}
