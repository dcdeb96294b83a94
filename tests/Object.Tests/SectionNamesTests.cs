namespace Ebpf.Object.Tests;

/// <summary>Section names decoded against libbpf's section_defs table (libbpf.c), entry by entry.</summary>
public class SectionNamesTests
{
    public static TheoryData<string, ProgramType, AttachType, AttachType, string?, bool> Cases => new()
    {
        { "socket", ProgramType.SocketFilter, 0, 0, null, false },
        { "sk_reuseport", ProgramType.SkReuseport, AttachType.SkReuseportSelect, AttachType.SkReuseportSelect, null, false },
        { "sk_reuseport/migrate", ProgramType.SkReuseport, AttachType.SkReuseportSelectOrMigrate, AttachType.SkReuseportSelectOrMigrate, null, false },
        { "kprobe/do_sys_open", ProgramType.Kprobe, 0, AttachType.PerfEvent, "do_sys_open", false },
        { "kprobe", ProgramType.Kprobe, 0, AttachType.PerfEvent, null, false },
        { "kretprobe/tcp_sendmsg", ProgramType.Kprobe, 0, AttachType.PerfEvent, "tcp_sendmsg", false },
        { "uprobe//usr/bin/bash:readline", ProgramType.Kprobe, 0, AttachType.PerfEvent, "/usr/bin/bash:readline", false },
        { "uprobe.s/libc.so.6:malloc", ProgramType.Kprobe, 0, AttachType.PerfEvent, "libc.so.6:malloc", true },
        { "uretprobe/libc.so.6:malloc", ProgramType.Kprobe, 0, AttachType.PerfEvent, "libc.so.6:malloc", false },
        { "kprobe.multi/tcp_*", ProgramType.Kprobe, AttachType.TraceKprobeMulti, AttachType.TraceKprobeMulti, "tcp_*", false },
        { "uprobe.multi/x:y", ProgramType.Kprobe, AttachType.TraceUprobeMulti, AttachType.TraceUprobeMulti, "x:y", false },
        { "ksyscall/openat", ProgramType.Kprobe, 0, AttachType.PerfEvent, "openat", false },
        { "usdt/libc.so.6:libc:setjmp", ProgramType.Kprobe, 0, AttachType.PerfEvent, "libc.so.6:libc:setjmp", false },
        { "tracepoint/sched/sched_process_exec", ProgramType.Tracepoint, 0, AttachType.PerfEvent, "sched/sched_process_exec", false },
        { "tp/syscalls/sys_enter_openat", ProgramType.Tracepoint, 0, AttachType.PerfEvent, "syscalls/sys_enter_openat", false },
        { "raw_tracepoint/sys_enter", ProgramType.RawTracepoint, 0, AttachType.TraceRawTp, "sys_enter", false },
        { "raw_tp/sys_exit", ProgramType.RawTracepoint, 0, AttachType.TraceRawTp, "sys_exit", false },
        { "raw_tp.w/bpf_test_finish", ProgramType.RawTracepointWritable, 0, AttachType.TraceRawTp, "bpf_test_finish", false },
        { "tp_btf/sock_send_length", ProgramType.Tracing, AttachType.TraceRawTp, AttachType.TraceRawTp, "sock_send_length", false },
        { "fentry/tcp_connect", ProgramType.Tracing, AttachType.TraceFentry, AttachType.TraceFentry, "tcp_connect", false },
        { "fexit/tcp_connect", ProgramType.Tracing, AttachType.TraceFexit, AttachType.TraceFexit, "tcp_connect", false },
        { "fmod_ret/security_x", ProgramType.Tracing, AttachType.ModifyReturn, AttachType.ModifyReturn, "security_x", false },
        { "fentry.s/x", ProgramType.Tracing, AttachType.TraceFentry, AttachType.TraceFentry, "x", true },
        { "fexit.s/x", ProgramType.Tracing, AttachType.TraceFexit, AttachType.TraceFexit, "x", true },
        { "iter/task", ProgramType.Tracing, AttachType.TraceIter, AttachType.TraceIter, "task", false },
        { "lsm/file_open", ProgramType.Lsm, AttachType.LsmMac, AttachType.LsmMac, "file_open", false },
        { "lsm.s/bprm_committed_creds", ProgramType.Lsm, AttachType.LsmMac, AttachType.LsmMac, "bprm_committed_creds", true },
        { "lsm_cgroup/socket_bind", ProgramType.Lsm, AttachType.LsmCgroup, AttachType.LsmCgroup, "socket_bind", false },
        { "xdp", ProgramType.Xdp, AttachType.Xdp, AttachType.Xdp, null, false },
        { "xdp.frags", ProgramType.Xdp, AttachType.Xdp, AttachType.Xdp, null, false },
        { "xdp/devmap", ProgramType.Xdp, AttachType.XdpDevMap, AttachType.XdpDevMap, null, false },
        { "xdp/cpumap", ProgramType.Xdp, AttachType.XdpCpuMap, AttachType.XdpCpuMap, null, false },
        { "perf_event", ProgramType.PerfEvent, 0, AttachType.PerfEvent, null, false },
        { "lwt_in", ProgramType.LwtIn, 0, 0, null, false },
        { "lwt_out", ProgramType.LwtOut, 0, 0, null, false },
        { "lwt_xmit", ProgramType.LwtXmit, 0, 0, null, false },
        { "lwt_seg6local", ProgramType.LwtSeg6Local, 0, 0, null, false },
        { "cgroup_skb/ingress", ProgramType.CgroupSkb, AttachType.CgroupInetIngress, AttachType.CgroupInetIngress, null, false },
        { "cgroup_skb/egress", ProgramType.CgroupSkb, AttachType.CgroupInetEgress, AttachType.CgroupInetEgress, null, false },
        { "cgroup/skb", ProgramType.CgroupSkb, 0, 0, null, false },
        { "cgroup/sock", ProgramType.CgroupSock, AttachType.CgroupInetSockCreate, AttachType.CgroupInetSockCreate, null, false },
        { "cgroup/sock_create", ProgramType.CgroupSock, AttachType.CgroupInetSockCreate, AttachType.CgroupInetSockCreate, null, false },
        { "cgroup/sock_release", ProgramType.CgroupSock, AttachType.CgroupInetSockRelease, AttachType.CgroupInetSockRelease, null, false },
        { "cgroup/post_bind4", ProgramType.CgroupSock, AttachType.CgroupInet4PostBind, AttachType.CgroupInet4PostBind, null, false },
        { "cgroup/post_bind6", ProgramType.CgroupSock, AttachType.CgroupInet6PostBind, AttachType.CgroupInet6PostBind, null, false },
        { "cgroup/bind4", ProgramType.CgroupSockAddr, AttachType.CgroupInet4Bind, AttachType.CgroupInet4Bind, null, false },
        { "cgroup/bind6", ProgramType.CgroupSockAddr, AttachType.CgroupInet6Bind, AttachType.CgroupInet6Bind, null, false },
        { "cgroup/connect4", ProgramType.CgroupSockAddr, AttachType.CgroupInet4Connect, AttachType.CgroupInet4Connect, null, false },
        { "cgroup/connect6", ProgramType.CgroupSockAddr, AttachType.CgroupInet6Connect, AttachType.CgroupInet6Connect, null, false },
        { "cgroup/connect_unix", ProgramType.CgroupSockAddr, AttachType.CgroupUnixConnect, AttachType.CgroupUnixConnect, null, false },
        { "cgroup/sendmsg4", ProgramType.CgroupSockAddr, AttachType.CgroupUdp4Sendmsg, AttachType.CgroupUdp4Sendmsg, null, false },
        { "cgroup/sendmsg6", ProgramType.CgroupSockAddr, AttachType.CgroupUdp6Sendmsg, AttachType.CgroupUdp6Sendmsg, null, false },
        { "cgroup/recvmsg4", ProgramType.CgroupSockAddr, AttachType.CgroupUdp4Recvmsg, AttachType.CgroupUdp4Recvmsg, null, false },
        { "cgroup/recvmsg6", ProgramType.CgroupSockAddr, AttachType.CgroupUdp6Recvmsg, AttachType.CgroupUdp6Recvmsg, null, false },
        { "cgroup/getpeername4", ProgramType.CgroupSockAddr, AttachType.CgroupInet4Getpeername, AttachType.CgroupInet4Getpeername, null, false },
        { "cgroup/getpeername6", ProgramType.CgroupSockAddr, AttachType.CgroupInet6Getpeername, AttachType.CgroupInet6Getpeername, null, false },
        { "cgroup/getsockname4", ProgramType.CgroupSockAddr, AttachType.CgroupInet4Getsockname, AttachType.CgroupInet4Getsockname, null, false },
        { "cgroup/getsockname6", ProgramType.CgroupSockAddr, AttachType.CgroupInet6Getsockname, AttachType.CgroupInet6Getsockname, null, false },
        { "cgroup/sysctl", ProgramType.CgroupSysctl, AttachType.CgroupSysctl, AttachType.CgroupSysctl, null, false },
        { "cgroup/getsockopt", ProgramType.CgroupSockopt, AttachType.CgroupGetsockopt, AttachType.CgroupGetsockopt, null, false },
        { "cgroup/setsockopt", ProgramType.CgroupSockopt, AttachType.CgroupSetsockopt, AttachType.CgroupSetsockopt, null, false },
        { "cgroup/dev", ProgramType.CgroupDevice, AttachType.CgroupDevice, AttachType.CgroupDevice, null, false },
        { "sockops", ProgramType.SockOps, AttachType.CgroupSockOps, AttachType.CgroupSockOps, null, false },
        { "sk_skb/stream_parser", ProgramType.SkSkb, AttachType.SkSkbStreamParser, AttachType.SkSkbStreamParser, null, false },
        { "sk_skb/stream_verdict", ProgramType.SkSkb, AttachType.SkSkbStreamVerdict, AttachType.SkSkbStreamVerdict, null, false },
        { "sk_skb", ProgramType.SkSkb, 0, 0, null, false },
        { "sk_msg", ProgramType.SkMsg, AttachType.SkMsgVerdict, AttachType.SkMsgVerdict, null, false },
        { "lirc_mode2", ProgramType.LircMode2, AttachType.LircMode2, AttachType.LircMode2, null, false },
        { "flow_dissector", ProgramType.FlowDissector, AttachType.FlowDissector, AttachType.FlowDissector, null, false },
        { "sk_lookup", ProgramType.SkLookup, AttachType.SkLookup, AttachType.SkLookup, null, false },
        { "tc", ProgramType.SchedCls, 0, 0, null, false },
        { "classifier", ProgramType.SchedCls, 0, 0, null, false },
        { "action", ProgramType.SchedAct, 0, 0, null, false },
        { "tcx/ingress", ProgramType.SchedCls, AttachType.TcxIngress, AttachType.TcxIngress, null, false },
        { "tcx/egress", ProgramType.SchedCls, AttachType.TcxEgress, AttachType.TcxEgress, null, false },
        { "tc/ingress", ProgramType.SchedCls, AttachType.TcxIngress, AttachType.TcxIngress, null, false },
        { "netkit/primary", ProgramType.SchedCls, AttachType.NetkitPrimary, AttachType.NetkitPrimary, null, false },
        { "netkit/peer", ProgramType.SchedCls, AttachType.NetkitPeer, AttachType.NetkitPeer, null, false },
        { "struct_ops/tcp_ca_init", ProgramType.StructOps, 0, AttachType.StructOps, "tcp_ca_init", false },
        { "struct_ops.s/x", ProgramType.StructOps, 0, AttachType.StructOps, "x", true },
        { "syscall", ProgramType.Syscall, 0, 0, null, true },
        { "netfilter", ProgramType.Netfilter, AttachType.Netfilter, AttachType.Netfilter, null, false },
        { "?xdp", ProgramType.Xdp, AttachType.Xdp, AttachType.Xdp, null, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void KnownSections(string section, ProgramType type, AttachType expected, AttachType attach, string? target, bool sleepable)
    {
        Assert.True(SectionNames.TryParse(section, out var t, out var e, out var a, out var tg, out var s));
        Assert.Equal((type, expected, attach, target, sleepable), (t, e, a, tg, s));
        // Sections without an attach type say so; cgroup_skb/ingress's attach type is really 0.
        Assert.Equal(attach != 0 || section == "cgroup_skb/ingress", SectionNames.Lookup(section)!.HasAttachType);
    }

    [Theory]
    [InlineData("")]
    [InlineData("xdp_custom")]         // exact entries match only exactly
    [InlineData("xdpfoo")]
    [InlineData("kprobefoo")]          // "kprobe+" needs "kprobe" or "kprobe/..."
    [InlineData("socket/extra")]
    [InlineData("sk_skb/unknown")]
    [InlineData("my_section")]
    [InlineData(".text")]
    public void UnknownSectionsAreUnspec(string section)
    {
        Assert.False(SectionNames.TryParse(section, out var t, out var e, out var a, out var tg, out var s));
        Assert.Equal((ProgramType.Unspec, (AttachType)0, (AttachType)0, (string?)null, false), (t, e, a, tg, s));
        Assert.Null(SectionNames.Lookup(section));
    }

    [Fact]
    public void XdpFragsIsReported()
    {
        Assert.True(SectionNames.Lookup("xdp.frags")!.XdpFrags);
        Assert.True(SectionNames.Lookup("xdp.frags/devmap")!.XdpFrags);
        Assert.False(SectionNames.Lookup("xdp")!.XdpFrags);
    }
}
