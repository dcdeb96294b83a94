using Ebpf.Links;
using Ebpf.Maps;

namespace Ebpf.Programs;

public sealed partial class SkMsgProgram
{
    /// <summary>
    /// Attaches to a SOCKMAP: the program then runs on every sendmsg of the sockets in it. Uses a sockmap
    /// bpf_link (Linux 6.10+), else BPF_PROG_ATTACH (<see cref="BpfLink.IsKernelLink"/> tells which).
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
}
