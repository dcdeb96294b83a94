using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Maps;
using Ebpf.Object;

namespace Ebpf.Programs;

/// <summary>
/// A program that attaches to a SOCKMAP or SOCKHASH rather than to a hook: SK_MSG (<see cref="SkMsgProgram"/>) and
/// SK_SKB (<see cref="SkSkbProgram"/>). What the program runs on (sendmsg, stream parsing, verdicts) comes from its
/// kind and section; attaching is the same for both.
/// </summary>
public abstract class SockmapProgram : BpfProgram
{
    private protected SockmapProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }

    /// <summary>
    /// Attaches to a SOCKMAP: an sk_msg program then runs on every sendmsg of the sockets in it; an sk_skb program as
    /// stream parser or verdict, as its section says (sk_skb/stream_parser, sk_skb/stream_verdict, sk_skb/verdict).
    /// Uses a sockmap bpf_link (Linux 6.10+), else BPF_PROG_ATTACH (<see cref="BpfLink.IsKernelLink"/> tells which).
    /// A socket takes the map's programs when it enters the map: attach before adding sockets. Disposing the
    /// link stops the program for sockets added afterwards; sockets already in the map keep it until removed.
    /// </summary>
    public BpfLink AttachToMap(SockMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return AttachToMap(map.Map.Handle, map.Map.Name);
    }

    /// <summary>Attaches to a SOCKHASH; see <see cref="AttachToMap(SockMap)"/>.</summary>
    public BpfLink AttachToMap<TKey>(SockHashMap<TKey> map) where TKey : unmanaged
    {
        ArgumentNullException.ThrowIfNull(map);
        return AttachToMap(map.Map.Handle, map.Map.Name);
    }

    /// <summary>Attaches to the map with descriptor <paramref name="map"/> (a sockmap link, or BPF_PROG_ATTACH on kernels before 6.10).</summary>
    internal BpfLink AttachToMap(BpfFd map, string mapName) => SockmapAttach.Attach(this, map, mapName);
}
