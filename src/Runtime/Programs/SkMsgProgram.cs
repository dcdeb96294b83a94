using Ebpf.Internal;
using Ebpf.Object;

namespace Ebpf.Programs;

/// <summary>An SK_MSG program: runs on every sendmsg of a socket in a SOCKMAP/SOCKHASH and may redirect the data.</summary>
public sealed class SkMsgProgram : SockmapProgram
{
    internal SkMsgProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }
}
