using Ebpf.Internal;
using Ebpf.Object;

namespace Ebpf.Programs;

/// <summary>An SK_SKB program: stream parser or verdict for sockets in a SOCKMAP/SOCKHASH (sk_skb/stream_parser, sk_skb/stream_verdict, sk_skb/verdict).</summary>
public sealed class SkSkbProgram : SockmapProgram
{
    internal SkSkbProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }
}
