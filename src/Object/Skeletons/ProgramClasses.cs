namespace Ebpf.Object
{
    /// <summary>
    /// Which Ebpf.Runtime class a program of each type is (docs/skeleton-contract.md, "Programs"). The generator
    /// emits these names into skeletons and the runtime's loader creates these classes; ProgramAndMapClassesTests
    /// fails when the runtime's classes and this table disagree.
    /// </summary>
    internal static class ProgramClasses
    {
        /// <summary>The namespace of the runtime's program classes.</summary>
        public const string Namespace = "Ebpf.Programs";

        /// <summary>"XdpProgram" for <see cref="ProgramType.Xdp"/>; "BpfProgram" for a type without a class of its own.</summary>
        public static string NameFor(ProgramType type)
        {
            switch (type)
            {
                case ProgramType.Xdp: return "XdpProgram";
                case ProgramType.SockOps: return "SockOpsProgram";
                case ProgramType.SkMsg: return "SkMsgProgram";
                case ProgramType.SkSkb: return "SkSkbProgram";
                case ProgramType.CgroupSkb: return "CgroupSkbProgram";
                case ProgramType.CgroupSock: return "CgroupSockProgram";
                case ProgramType.CgroupSockAddr: return "CgroupSockAddrProgram";
                case ProgramType.CgroupSockopt: return "CgroupSockoptProgram";
                case ProgramType.CgroupSysctl: return "CgroupSysctlProgram";
                case ProgramType.CgroupDevice: return "CgroupDeviceProgram";
                case ProgramType.SchedCls: return "TcProgram";
                case ProgramType.SocketFilter: return "SocketFilterProgram";
                case ProgramType.Tracepoint: return "TracepointProgram";
                case ProgramType.RawTracepoint:
                case ProgramType.RawTracepointWritable: return "RawTracepointProgram";
                case ProgramType.Tracing: return "TracingProgram";
                case ProgramType.Kprobe: return "KprobeProgram";
                case ProgramType.PerfEvent: return "PerfEventProgram";
                default: return "BpfProgram";
            }
        }

        /// <summary>"Ebpf.XdpProgram": the class's full name, as the generator emits it after "global::".</summary>
        public static string FullNameFor(ProgramType type) => Namespace + "." + NameFor(type);
    }
}
