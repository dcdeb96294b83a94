using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;

namespace Ebpf.Programs;

/// <summary>An SK_SKB program: stream parser or verdict for sockets in a SOCKMAP/SOCKHASH (sk_skb/stream_parser, sk_skb/stream_verdict, sk_skb/verdict).</summary>
public sealed partial class SkSkbProgram : BpfProgram
{
    internal SkSkbProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }

    /// <summary>Attaches to the map with descriptor <paramref name="map"/> as parser or verdict, as the section says.</summary>
    internal BpfLink AttachToMap(BpfFd map, string mapName) => SockmapAttach.Attach(this, map, mapName);
}
