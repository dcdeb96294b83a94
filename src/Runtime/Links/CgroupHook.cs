namespace Ebpf.Links;

/// <summary>
/// Where on a cgroup a program runs: the kernel's cgroup attach types (<c>BPF_CGROUP_*</c> in <c>enum
/// bpf_attach_type</c>, same numbers), named without the "Cgroup" prefix. Used to list what a cgroup has attached
/// (<see cref="AttachedPrograms.OnCgroup"/>); a program's own hook comes from its section.
/// </summary>
public enum CgroupHook : uint
{
    /// <summary>cgroup_skb/ingress: packets into the cgroup's sockets.</summary>
    InetIngress = 0,
    /// <summary>cgroup_skb/egress: packets out of the cgroup's sockets.</summary>
    InetEgress = 1,
    /// <summary>cgroup/sock_create.</summary>
    InetSockCreate = 2,
    /// <summary>sockops: TCP events of the cgroup's sockets.</summary>
    SockOps = 3,
    /// <summary>cgroup/dev: device access.</summary>
    Device = 6,
    Inet4Bind = 8,
    Inet6Bind = 9,
    Inet4Connect = 10,
    Inet6Connect = 11,
    Inet4PostBind = 12,
    Inet6PostBind = 13,
    Udp4Sendmsg = 14,
    Udp6Sendmsg = 15,
    /// <summary>cgroup/sysctl: /proc/sys accesses.</summary>
    Sysctl = 18,
    Udp4Recvmsg = 19,
    Udp6Recvmsg = 20,
    Getsockopt = 21,
    Setsockopt = 22,
    Inet4Getpeername = 29,
    Inet6Getpeername = 30,
    Inet4Getsockname = 31,
    Inet6Getsockname = 32,
    /// <summary>cgroup/sock_release.</summary>
    InetSockRelease = 34,
    UnixConnect = 49,
    UnixSendmsg = 50,
    UnixRecvmsg = 51,
    UnixGetpeername = 52,
    UnixGetsockname = 53,
}
