using Ebpf.Examples.XdpProxy.Linux;
using Ebpf.Links;

namespace Ebpf.Examples.XdpProxy.DataPlane;

/// <summary>
/// xdp-proxy.bpf.c loaded through its generated <see cref="XdpProxySkel"/>, and the links that attach it. The control
/// plane writes the maps through <see cref="Skel"/> with the skeleton's own struct types; this class adds what the
/// skeleton cannot know: the XDP stub a veth peer needs in native mode, and sums over CPUs. Links are BPF links,
/// which the kernel removes when the process ends, however it ends.
/// </summary>
internal sealed class ProxyDataPlane : IDisposable
{
    private readonly List<BpfLink> links = [];

    public ProxyDataPlane() => Skel = XdpProxySkel.OpenAndLoad();

    public XdpProxySkel Skel { get; }

    /// <summary>MAX_BACKENDS of the program: the size of its backends map.</summary>
    public int MaxBackends => (int)Skel.Maps.Backends.MaxEntries;

    /// <summary>
    /// Attaches xdp_proxy to <paramref name="iface"/> in <paramref name="netns"/> (null: the caller's namespace). In native
    /// mode on a veth it also attaches xdp_pass to the peer, without which the kernel drops every XDP_TX frame.
    /// </summary>
    public void Attach(string iface, string? netns, XdpAttachMode mode)
    {
        if (mode is not (XdpAttachMode.Native or XdpAttachMode.Generic))
            throw new ArgumentException($"mode {mode}: the balancer runs in native or generic mode");
        try
        {
            if (mode == XdpAttachMode.Native && VethPeer.Find(iface, netns) is { } peer && !VethPeer.HasXdp(peer.Name, peer.Netns))
                links.Add(NetNs.Run(peer.Netns, () => Skel.Programs.XdpPass.AttachXdp(peer.IfIndex, XdpAttachMode.Native)));
            links.Add(NetNs.Run(netns, () => Skel.Programs.XdpProxy.AttachXdp(NetNs.IfIndex(null, iface), mode)));
        }
        catch (BpfException e) when (mode == XdpAttachMode.Native)
        {
            DetachAll();
            throw new ToolException(AttachErrors.Native(iface, e.Message));
        }
    }

    /// <summary>The counters of one backend slot, summed over CPUs.</summary>
    public XdpProxySkel.BackendCounters Counters(int slot) =>
        Skel.Maps.BackendStats.Lookup((uint)slot).Aggregate(default(XdpProxySkel.BackendCounters), (sum, c) => sum + c);

    /// <summary>One of the program's global counters (enum stat, generated through the item's Types), summed over CPUs.</summary>
    public ulong Stat(XdpProxySkel.Stat stat) => Skel.Maps.Stats.Lookup((uint)stat).Aggregate(0UL, (sum, v) => sum + v);

    /// <summary>CPU time spent in xdp_proxy so far (kernel.bpf_stats_enabled must be 1; zero otherwise).</summary>
    public TimeSpan ProgramRunTime => Skel.Programs.XdpProxy.RunStatistics.RunTime;

    public void Dispose()
    {
        DetachAll();
        Skel.Dispose();
    }

    private void DetachAll()
    {
        foreach (var link in Enumerable.Reverse(links))
            link.Dispose();
        links.Clear();
    }
}
