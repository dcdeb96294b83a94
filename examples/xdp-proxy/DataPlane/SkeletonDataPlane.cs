using System.Runtime.CompilerServices;
using Ebpf.Examples.XdpProxy.Linux;

namespace Ebpf.Examples.XdpProxy.DataPlane;

/// <summary>
/// The data plane over the generated <see cref="XdpProxySkel"/> (Ebpf.Runtime): the object embedded
/// in this assembly, loaded once; attachments are BPF links, which the kernel removes when the
/// process ends, however it ends.
/// </summary>
internal sealed class SkeletonDataPlane : IDataPlane
{
    private readonly XdpProxySkel skel;
    private readonly List<BpfLink> links = [];

    public SkeletonDataPlane() => skel = XdpProxySkel.OpenAndLoad();

    public int MaxBackends => (int)skel.Maps.Backends.MaxEntries;

    public bool DetachesWhenKilled => true;

    public void Attach(string iface, string? netns, XdpMode mode)
    {
        try
        {
            if (mode == XdpMode.Native && VethPeer.Find(iface, netns) is { } peer && !VethPeer.HasXdp(peer.Name, peer.Netns))
                links.Add(NetNs.Run(peer.Netns, () => skel.Programs.XdpPass.AttachXdp(peer.IfIndex, XdpAttachMode.Native)));
            links.Add(NetNs.Run(netns, () =>
                skel.Programs.XdpProxy.AttachXdp(NetNs.IfIndex(null, iface), mode == XdpMode.Native ? XdpAttachMode.Native : XdpAttachMode.Generic)));
        }
        catch (BpfException e) when (mode == XdpMode.Native)
        {
            throw new ToolException(AttachErrors.Native(iface, e.Message));
        }
    }

    public void WriteConfig(BalancerConfig config) =>
        skel.Maps.Config.Update(0, As<BalancerConfig, XdpProxySkel.Config>(config));

    public void WriteBackend(int slot, BackendEntry entry) =>
        skel.Maps.Backends.Update((uint)slot, As<BackendEntry, XdpProxySkel.Backend>(entry));

    public void WriteMaglev(IReadOnlyList<KeyValuePair<int, uint>> changes)
    {
        foreach (var (index, value) in changes)
            skel.Maps.Maglev.Update((uint)index, value);
    }

    public BackendCounters ReadCounters(int slot) =>
        skel.Maps.BackendStats.Lookup((uint)slot)
            .Select(v => As<XdpProxySkel.BackendCounters, BackendCounters>(v))
            .Aggregate(default(BackendCounters), (a, b) => a + b);

    public ulong ReadStat(ProgramStat stat) =>
        skel.Maps.Stats.Lookup((uint)stat).Aggregate(0UL, (sum, v) => sum + v);

    public XdpTestResult TestRun(byte[] frame)
    {
        var r = skel.Programs.XdpProxy.TestRun(frame);
        return new XdpTestResult((XdpVerdict)r.ReturnValue, r.Packet);
    }

    public TimeSpan ProgramRunTime => skel.Programs.XdpProxy.RunStatistics.RunTime;

    public void Dispose()
    {
        foreach (var link in Enumerable.Reverse(links))
            link.Dispose();
        links.Clear();
        skel.Dispose();
    }

    // The C structs and the ones in MapLayouts.cs have the same bytes; the skeleton's generated
    // types are the maps' value types.
    private static TTo As<TFrom, TTo>(TFrom value) where TFrom : unmanaged where TTo : unmanaged
    {
        if (Unsafe.SizeOf<TFrom>() != Unsafe.SizeOf<TTo>())
            throw new InvalidOperationException($"{typeof(TFrom).Name} ({Unsafe.SizeOf<TFrom>()} bytes) does not match {typeof(TTo).Name} ({Unsafe.SizeOf<TTo>()} bytes): MapLayouts.cs is out of step with xdp-proxy.bpf.c");
        return Unsafe.As<TFrom, TTo>(ref value);
    }
}
