using Ebpf.Object;

namespace Ebpf.Generator.Parsing
{
    /// <summary>Which runtime class a program of each type is exposed as (docs/skeleton-contract.md, "Programs").</summary>
    internal static class ProgramKinds
    {
        public static string ClassNameFor(ProgramType type)
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
                default: return "BpfProgram";
            }
        }
    }
}
