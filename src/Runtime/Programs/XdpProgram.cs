using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;

namespace Ebpf.Programs;

/// <summary>An XDP program: runs on every frame an interface receives, before the network stack.</summary>
public sealed class XdpProgram : BpfProgram
{
    internal XdpProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }

    /// <summary>
    /// Attaches to interface <paramref name="ifindex"/> (in the calling thread's network namespace) through a bpf_link.
    /// An interface that already has an XDP program is refused with a description of it, unless
    /// <paramref name="replace"/> is true: then that program is taken off first (its link detached, or unset through netlink).
    /// </summary>
    public BpfLink AttachXdp(int ifindex, XdpAttachMode mode = XdpAttachMode.Default, bool replace = false) =>
        XdpAttach.Attach(this, ifindex, mode, replace);

    /// <summary>Same as <see cref="AttachXdp(int, XdpAttachMode, bool)"/> with the interface named.</summary>
    public BpfLink AttachXdp(string interfaceName, XdpAttachMode mode = XdpAttachMode.Default, bool replace = false) =>
        XdpAttach.Attach(this, InterfaceIndex.Of(interfaceName, "attach " + Describe()), mode, replace);
}
