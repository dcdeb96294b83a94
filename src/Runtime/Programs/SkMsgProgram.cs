using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;

namespace Ebpf.Programs;

/// <summary>An SK_MSG program: runs on every sendmsg of a socket in a SOCKMAP/SOCKHASH and may redirect the data.</summary>
public sealed partial class SkMsgProgram : BpfProgram
{
    internal SkMsgProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }

    /// <summary>Attaches to the map with descriptor <paramref name="map"/> (a sockmap link, or BPF_PROG_ATTACH on kernels before 6.10).</summary>
    internal BpfLink AttachToMap(BpfFd map, string mapName) => SockmapAttach.Attach(this, map, mapName);
}
