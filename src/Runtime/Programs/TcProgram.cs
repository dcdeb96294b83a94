using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;

namespace Ebpf.Programs;

/// <summary>A SCHED_CLS (tc) program: runs on packets an interface receives or sends, attached through tcx.</summary>
public sealed class TcProgram : BpfProgram
{
    internal TcProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }

    /// <summary>Attaches to interface <paramref name="ifindex"/> on <paramref name="direction"/> through tcx (a bpf_link, Linux 6.6+), after the programs already there.</summary>
    public BpfLink AttachTcx(int ifindex, TcDirection direction) => TcxAttach.Attach(this, ifindex, direction);

    /// <summary>Same as <see cref="AttachTcx(int, TcDirection)"/> with the interface named.</summary>
    public BpfLink AttachTcx(string interfaceName, TcDirection direction) =>
        TcxAttach.Attach(this, InterfaceIndex.Of(interfaceName, "attach " + Describe()), direction);
}
