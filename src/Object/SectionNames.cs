using System;

namespace Ebpf.Object
{
    /// <summary>
    /// libbpf's table of program section names (<c>section_defs</c> in libbpf.c): a section name gives the
    /// program type, the expected attach type for BPF_PROG_LOAD and the attach type for BPF_LINK_CREATE.
    /// </summary>
    /// <remarks>
    /// Matching follows libbpf: an entry marked "+" (e.g. <c>kprobe+</c>) matches the bare name or the name
    /// followed by '/' and a target; every other entry matches only exactly. The first matching entry wins, so
    /// more specific names come first. A leading '?' (libbpf's "do not auto-load" marker) is ignored here.
    /// </remarks>
    internal static class SectionNames
    {
        [Flags]
        private enum F
        {
            None = 0,
            Plus = 1,          // "name" or "name/target"
            Sleepable = 2,
            Frags = 4,
        }

        private sealed class Def
        {
            public Def(string name, ProgramType type, AttachType expected, AttachType attach, F flags)
            {
                Name = name;
                Type = type;
                Expected = expected;
                Attach = attach;
                Flags = flags;
            }

            public string Name { get; }
            public ProgramType Type { get; }
            public AttachType Expected { get; }
            public AttachType Attach { get; }
            public F Flags { get; }
        }

        // Written where the section names no attach type; Def.HasAttach tells it from BPF_CGROUP_INET_INGRESS (also 0).
        private const AttachType NoAttach = (AttachType)uint.MaxValue;

        // Perf-event based attachments (kprobe, uprobe, tracepoint, usdt) go through perf_event_open and
        // BPF_LINK_CREATE with attach type BPF_PERF_EVENT; their expected_attach_type is 0.
        private static readonly Def[] Table =
        {
            new Def("socket", ProgramType.SocketFilter, NoAttach, NoAttach, F.None),
            new Def("sk_reuseport/migrate", ProgramType.SkReuseport, AttachType.SkReuseportSelectOrMigrate, AttachType.SkReuseportSelectOrMigrate, F.None),
            new Def("sk_reuseport", ProgramType.SkReuseport, AttachType.SkReuseportSelect, AttachType.SkReuseportSelect, F.None),
            new Def("kprobe", ProgramType.Kprobe, NoAttach, AttachType.PerfEvent, F.Plus),
            new Def("uprobe", ProgramType.Kprobe, NoAttach, AttachType.PerfEvent, F.Plus),
            new Def("uprobe.s", ProgramType.Kprobe, NoAttach, AttachType.PerfEvent, F.Plus | F.Sleepable),
            new Def("kretprobe", ProgramType.Kprobe, NoAttach, AttachType.PerfEvent, F.Plus),
            new Def("uretprobe", ProgramType.Kprobe, NoAttach, AttachType.PerfEvent, F.Plus),
            new Def("uretprobe.s", ProgramType.Kprobe, NoAttach, AttachType.PerfEvent, F.Plus | F.Sleepable),
            new Def("kprobe.multi", ProgramType.Kprobe, AttachType.TraceKprobeMulti, AttachType.TraceKprobeMulti, F.Plus),
            new Def("kretprobe.multi", ProgramType.Kprobe, AttachType.TraceKprobeMulti, AttachType.TraceKprobeMulti, F.Plus),
            new Def("kprobe.session", ProgramType.Kprobe, AttachType.TraceKprobeSession, AttachType.TraceKprobeSession, F.Plus),
            new Def("uprobe.multi", ProgramType.Kprobe, AttachType.TraceUprobeMulti, AttachType.TraceUprobeMulti, F.Plus),
            new Def("uretprobe.multi", ProgramType.Kprobe, AttachType.TraceUprobeMulti, AttachType.TraceUprobeMulti, F.Plus),
            new Def("uprobe.session", ProgramType.Kprobe, AttachType.TraceUprobeSession, AttachType.TraceUprobeSession, F.Plus),
            new Def("uprobe.multi.s", ProgramType.Kprobe, AttachType.TraceUprobeMulti, AttachType.TraceUprobeMulti, F.Plus | F.Sleepable),
            new Def("uretprobe.multi.s", ProgramType.Kprobe, AttachType.TraceUprobeMulti, AttachType.TraceUprobeMulti, F.Plus | F.Sleepable),
            new Def("uprobe.session.s", ProgramType.Kprobe, AttachType.TraceUprobeSession, AttachType.TraceUprobeSession, F.Plus | F.Sleepable),
            new Def("ksyscall", ProgramType.Kprobe, NoAttach, AttachType.PerfEvent, F.Plus),
            new Def("kretsyscall", ProgramType.Kprobe, NoAttach, AttachType.PerfEvent, F.Plus),
            new Def("usdt", ProgramType.Kprobe, NoAttach, AttachType.PerfEvent, F.Plus),
            new Def("usdt.s", ProgramType.Kprobe, NoAttach, AttachType.PerfEvent, F.Plus | F.Sleepable),
            new Def("tc/ingress", ProgramType.SchedCls, AttachType.TcxIngress, AttachType.TcxIngress, F.None),
            new Def("tc/egress", ProgramType.SchedCls, AttachType.TcxEgress, AttachType.TcxEgress, F.None),
            new Def("tcx/ingress", ProgramType.SchedCls, AttachType.TcxIngress, AttachType.TcxIngress, F.None),
            new Def("tcx/egress", ProgramType.SchedCls, AttachType.TcxEgress, AttachType.TcxEgress, F.None),
            new Def("tc", ProgramType.SchedCls, NoAttach, NoAttach, F.None),
            new Def("classifier", ProgramType.SchedCls, NoAttach, NoAttach, F.None),
            new Def("action", ProgramType.SchedAct, NoAttach, NoAttach, F.None),
            new Def("netkit/primary", ProgramType.SchedCls, AttachType.NetkitPrimary, AttachType.NetkitPrimary, F.None),
            new Def("netkit/peer", ProgramType.SchedCls, AttachType.NetkitPeer, AttachType.NetkitPeer, F.None),
            new Def("tracepoint", ProgramType.Tracepoint, NoAttach, AttachType.PerfEvent, F.Plus),
            new Def("tp", ProgramType.Tracepoint, NoAttach, AttachType.PerfEvent, F.Plus),
            new Def("tracepoint.s", ProgramType.Tracepoint, NoAttach, AttachType.PerfEvent, F.Plus | F.Sleepable),
            new Def("tp.s", ProgramType.Tracepoint, NoAttach, AttachType.PerfEvent, F.Plus | F.Sleepable),
            new Def("raw_tracepoint", ProgramType.RawTracepoint, NoAttach, AttachType.TraceRawTp, F.Plus),
            new Def("raw_tp", ProgramType.RawTracepoint, NoAttach, AttachType.TraceRawTp, F.Plus),
            new Def("raw_tracepoint.s", ProgramType.RawTracepoint, NoAttach, AttachType.TraceRawTp, F.Plus | F.Sleepable),
            new Def("raw_tp.s", ProgramType.RawTracepoint, NoAttach, AttachType.TraceRawTp, F.Plus | F.Sleepable),
            new Def("raw_tracepoint.w", ProgramType.RawTracepointWritable, NoAttach, AttachType.TraceRawTp, F.Plus),
            new Def("raw_tp.w", ProgramType.RawTracepointWritable, NoAttach, AttachType.TraceRawTp, F.Plus),
            new Def("tp_btf", ProgramType.Tracing, AttachType.TraceRawTp, AttachType.TraceRawTp, F.Plus),
            new Def("tp_btf.s", ProgramType.Tracing, AttachType.TraceRawTp, AttachType.TraceRawTp, F.Plus | F.Sleepable),
            new Def("fentry", ProgramType.Tracing, AttachType.TraceFentry, AttachType.TraceFentry, F.Plus),
            new Def("fmod_ret", ProgramType.Tracing, AttachType.ModifyReturn, AttachType.ModifyReturn, F.Plus),
            new Def("fexit", ProgramType.Tracing, AttachType.TraceFexit, AttachType.TraceFexit, F.Plus),
            new Def("fentry.s", ProgramType.Tracing, AttachType.TraceFentry, AttachType.TraceFentry, F.Plus | F.Sleepable),
            new Def("fmod_ret.s", ProgramType.Tracing, AttachType.ModifyReturn, AttachType.ModifyReturn, F.Plus | F.Sleepable),
            new Def("fexit.s", ProgramType.Tracing, AttachType.TraceFexit, AttachType.TraceFexit, F.Plus | F.Sleepable),
            new Def("freplace", ProgramType.Ext, NoAttach, NoAttach, F.Plus),
            new Def("lsm", ProgramType.Lsm, AttachType.LsmMac, AttachType.LsmMac, F.Plus),
            new Def("lsm.s", ProgramType.Lsm, AttachType.LsmMac, AttachType.LsmMac, F.Plus | F.Sleepable),
            new Def("lsm_cgroup", ProgramType.Lsm, AttachType.LsmCgroup, AttachType.LsmCgroup, F.Plus),
            new Def("iter", ProgramType.Tracing, AttachType.TraceIter, AttachType.TraceIter, F.Plus),
            new Def("iter.s", ProgramType.Tracing, AttachType.TraceIter, AttachType.TraceIter, F.Plus | F.Sleepable),
            new Def("syscall", ProgramType.Syscall, NoAttach, NoAttach, F.Sleepable),
            new Def("xdp.frags/devmap", ProgramType.Xdp, AttachType.XdpDevMap, AttachType.XdpDevMap, F.Frags),
            new Def("xdp/devmap", ProgramType.Xdp, AttachType.XdpDevMap, AttachType.XdpDevMap, F.None),
            new Def("xdp.frags/cpumap", ProgramType.Xdp, AttachType.XdpCpuMap, AttachType.XdpCpuMap, F.Frags),
            new Def("xdp/cpumap", ProgramType.Xdp, AttachType.XdpCpuMap, AttachType.XdpCpuMap, F.None),
            new Def("xdp.frags", ProgramType.Xdp, AttachType.Xdp, AttachType.Xdp, F.Frags),
            new Def("xdp", ProgramType.Xdp, AttachType.Xdp, AttachType.Xdp, F.None),
            new Def("perf_event", ProgramType.PerfEvent, NoAttach, AttachType.PerfEvent, F.None),
            new Def("lwt_in", ProgramType.LwtIn, NoAttach, NoAttach, F.None),
            new Def("lwt_out", ProgramType.LwtOut, NoAttach, NoAttach, F.None),
            new Def("lwt_xmit", ProgramType.LwtXmit, NoAttach, NoAttach, F.None),
            new Def("lwt_seg6local", ProgramType.LwtSeg6Local, NoAttach, NoAttach, F.None),
            new Def("sockops", ProgramType.SockOps, AttachType.CgroupSockOps, AttachType.CgroupSockOps, F.None),
            new Def("sk_skb/stream_parser", ProgramType.SkSkb, AttachType.SkSkbStreamParser, AttachType.SkSkbStreamParser, F.None),
            new Def("sk_skb/stream_verdict", ProgramType.SkSkb, AttachType.SkSkbStreamVerdict, AttachType.SkSkbStreamVerdict, F.None),
            new Def("sk_skb/verdict", ProgramType.SkSkb, AttachType.SkSkbVerdict, AttachType.SkSkbVerdict, F.None),
            new Def("sk_skb", ProgramType.SkSkb, NoAttach, NoAttach, F.None),
            new Def("sk_msg", ProgramType.SkMsg, AttachType.SkMsgVerdict, AttachType.SkMsgVerdict, F.None),
            new Def("lirc_mode2", ProgramType.LircMode2, AttachType.LircMode2, AttachType.LircMode2, F.None),
            new Def("flow_dissector", ProgramType.FlowDissector, AttachType.FlowDissector, AttachType.FlowDissector, F.None),
            new Def("cgroup_skb/ingress", ProgramType.CgroupSkb, AttachType.CgroupInetIngress, AttachType.CgroupInetIngress, F.None),
            new Def("cgroup_skb/egress", ProgramType.CgroupSkb, AttachType.CgroupInetEgress, AttachType.CgroupInetEgress, F.None),
            new Def("cgroup/skb", ProgramType.CgroupSkb, NoAttach, NoAttach, F.None),
            new Def("cgroup/sock_create", ProgramType.CgroupSock, AttachType.CgroupInetSockCreate, AttachType.CgroupInetSockCreate, F.None),
            new Def("cgroup/sock_release", ProgramType.CgroupSock, AttachType.CgroupInetSockRelease, AttachType.CgroupInetSockRelease, F.None),
            new Def("cgroup/sock", ProgramType.CgroupSock, AttachType.CgroupInetSockCreate, AttachType.CgroupInetSockCreate, F.None),
            new Def("cgroup/post_bind4", ProgramType.CgroupSock, AttachType.CgroupInet4PostBind, AttachType.CgroupInet4PostBind, F.None),
            new Def("cgroup/post_bind6", ProgramType.CgroupSock, AttachType.CgroupInet6PostBind, AttachType.CgroupInet6PostBind, F.None),
            new Def("cgroup/bind4", ProgramType.CgroupSockAddr, AttachType.CgroupInet4Bind, AttachType.CgroupInet4Bind, F.None),
            new Def("cgroup/bind6", ProgramType.CgroupSockAddr, AttachType.CgroupInet6Bind, AttachType.CgroupInet6Bind, F.None),
            new Def("cgroup/connect4", ProgramType.CgroupSockAddr, AttachType.CgroupInet4Connect, AttachType.CgroupInet4Connect, F.None),
            new Def("cgroup/connect6", ProgramType.CgroupSockAddr, AttachType.CgroupInet6Connect, AttachType.CgroupInet6Connect, F.None),
            new Def("cgroup/connect_unix", ProgramType.CgroupSockAddr, AttachType.CgroupUnixConnect, AttachType.CgroupUnixConnect, F.None),
            new Def("cgroup/sendmsg4", ProgramType.CgroupSockAddr, AttachType.CgroupUdp4Sendmsg, AttachType.CgroupUdp4Sendmsg, F.None),
            new Def("cgroup/sendmsg6", ProgramType.CgroupSockAddr, AttachType.CgroupUdp6Sendmsg, AttachType.CgroupUdp6Sendmsg, F.None),
            new Def("cgroup/sendmsg_unix", ProgramType.CgroupSockAddr, AttachType.CgroupUnixSendmsg, AttachType.CgroupUnixSendmsg, F.None),
            new Def("cgroup/recvmsg4", ProgramType.CgroupSockAddr, AttachType.CgroupUdp4Recvmsg, AttachType.CgroupUdp4Recvmsg, F.None),
            new Def("cgroup/recvmsg6", ProgramType.CgroupSockAddr, AttachType.CgroupUdp6Recvmsg, AttachType.CgroupUdp6Recvmsg, F.None),
            new Def("cgroup/recvmsg_unix", ProgramType.CgroupSockAddr, AttachType.CgroupUnixRecvmsg, AttachType.CgroupUnixRecvmsg, F.None),
            new Def("cgroup/getpeername4", ProgramType.CgroupSockAddr, AttachType.CgroupInet4Getpeername, AttachType.CgroupInet4Getpeername, F.None),
            new Def("cgroup/getpeername6", ProgramType.CgroupSockAddr, AttachType.CgroupInet6Getpeername, AttachType.CgroupInet6Getpeername, F.None),
            new Def("cgroup/getpeername_unix", ProgramType.CgroupSockAddr, AttachType.CgroupUnixGetpeername, AttachType.CgroupUnixGetpeername, F.None),
            new Def("cgroup/getsockname4", ProgramType.CgroupSockAddr, AttachType.CgroupInet4Getsockname, AttachType.CgroupInet4Getsockname, F.None),
            new Def("cgroup/getsockname6", ProgramType.CgroupSockAddr, AttachType.CgroupInet6Getsockname, AttachType.CgroupInet6Getsockname, F.None),
            new Def("cgroup/getsockname_unix", ProgramType.CgroupSockAddr, AttachType.CgroupUnixGetsockname, AttachType.CgroupUnixGetsockname, F.None),
            new Def("cgroup/sysctl", ProgramType.CgroupSysctl, AttachType.CgroupSysctl, AttachType.CgroupSysctl, F.None),
            new Def("cgroup/getsockopt", ProgramType.CgroupSockopt, AttachType.CgroupGetsockopt, AttachType.CgroupGetsockopt, F.None),
            new Def("cgroup/setsockopt", ProgramType.CgroupSockopt, AttachType.CgroupSetsockopt, AttachType.CgroupSetsockopt, F.None),
            new Def("cgroup/dev", ProgramType.CgroupDevice, AttachType.CgroupDevice, AttachType.CgroupDevice, F.None),
            new Def("struct_ops", ProgramType.StructOps, NoAttach, AttachType.StructOps, F.Plus),
            new Def("struct_ops.s", ProgramType.StructOps, NoAttach, AttachType.StructOps, F.Plus | F.Sleepable),
            new Def("sk_lookup", ProgramType.SkLookup, AttachType.SkLookup, AttachType.SkLookup, F.None),
            new Def("netfilter", ProgramType.Netfilter, AttachType.Netfilter, AttachType.Netfilter, F.None),
        };

        /// <summary>
        /// Decodes a program section name. Returns false (and <see cref="ProgramType.Unspec"/>, zeros, null) when
        /// libbpf's table has no entry for it.
        /// </summary>
        public static bool TryParse(string section, out ProgramType type, out AttachType expectedAttachType,
                                    out AttachType attachType, out string? attachTarget, out bool sleepable)
        {
            var info = Lookup(section);
            type = info?.Type ?? ProgramType.Unspec;
            expectedAttachType = info?.ExpectedAttachType ?? 0;
            attachType = info?.AttachType ?? 0;
            attachTarget = info?.AttachTarget;
            sleepable = info?.Sleepable ?? false;
            return info is not null;
        }

        /// <summary>Decodes a program section name, or null when libbpf's table has no entry for it.</summary>
        public static SectionInfo? Lookup(string section)
        {
            if (section is null)
                throw new ArgumentNullException(nameof(section));
            if (section.StartsWith("?", StringComparison.Ordinal))
                section = section.Substring(1);
            foreach (var def in Table)
            {
                string? target;
                if (section == def.Name)
                    target = null;
                else if ((def.Flags & F.Plus) != 0 && section.Length > def.Name.Length + 1
                         && section.StartsWith(def.Name, StringComparison.Ordinal) && section[def.Name.Length] == '/')
                    target = section.Substring(def.Name.Length + 1);
                else if ((def.Flags & F.Plus) != 0 && section == def.Name + "/")
                    target = null;
                else
                    continue;
                return new SectionInfo(def.Type, def.Expected == NoAttach ? 0 : def.Expected, def.Attach == NoAttach ? 0 : def.Attach, target,
                                       (def.Flags & F.Sleepable) != 0, (def.Flags & F.Frags) != 0, def.Attach != NoAttach);
            }
            return null;
        }
    }
}
