using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Ebpf.Links;
using Ebpf.Maps;
using Ebpf.Object;
using Ebpf.Programs;

namespace Ebpf.Examples.Tcptop.Kernel;

/// <summary>
/// The kernel side: tcptop.bpf.c loaded through the generated <see cref="TcptopSkel"/>, its seven programs attached
/// through BPF links (the kernel removes them when this process ends, however it ends), and the maps read into
/// <see cref="KernelSnapshot"/>s.
/// </summary>
internal sealed class TcpTracer : IDisposable
{
    private readonly TcptopSkel skel;
    private readonly List<BpfLink> links = [];
    private readonly TracerOptions options;
    private readonly ProcessBytes bytes;

    public TcpTracer(TracerOptions options)
    {
        this.options = options;
        KernelSupport.Check(options.KernelBtfPath);
        try
        {
            skel = TcptopSkel.Open(new BpfObjectOptions { KernelBtfPath = options.KernelBtfPath });
        }
        catch (BpfException e)
        {
            throw new ToolException($"opening tcptop.bpf.c failed: {e.Message}");
        }
        try
        {
            skel.Maps.Procs.MaxEntries = (uint)options.MaxProcesses;
            skel.Maps.Cgroups.MaxEntries = (uint)options.MaxCgroups;
            skel.Maps.Conns.MaxEntries = (uint)options.MaxConnections;
            skel.Rodata.TrackConnections = options.TrackConnections ? (byte)1 : (byte)0;
            skel.Load();
            bytes = new ProcessBytes(skel.Maps.Slots);
            // The exit program first, so no process counted from here on misses its exit.
            links.Add(skel.Programs.TcptopExit.Attach());
            links.Add(skel.Programs.TcptopExec.Attach());
            links.Add(skel.Programs.TcptopCgroupMove.Attach());
            links.Add(skel.Programs.TcptopState.Attach());
            links.Add(skel.Programs.TcptopRetransmit.Attach());
            links.Add(skel.Programs.TcptopSend.Attach());
            links.Add(skel.Programs.TcptopRecv.Attach());
        }
        catch (BpfException e)
        {
            Dispose();
            throw new ToolException($"loading tcptop.bpf.c failed: {e.Message}");
        }
    }

    /// <summary>The programs, for --bpf-stats (name, run count, run time).</summary>
    public IEnumerable<(string Name, BpfProgram Program)> Programs =>
    [
        ("send", skel.Programs.TcptopSend), ("recv", skel.Programs.TcptopRecv), ("state", skel.Programs.TcptopState),
        ("retransmit", skel.Programs.TcptopRetransmit), ("exit", skel.Programs.TcptopExit), ("exec", skel.Programs.TcptopExec),
        ("cgroup move", skel.Programs.TcptopCgroupMove),
    ];

    public KernelSnapshot Read()
    {
        var processes = new List<ProcessEntry>();
        // in batches: one bpf() call per few thousand entries instead of two per entry
        foreach (var (k, v) in skel.Maps.Procs.EntriesInBatches())
        {
            var s = v;
            var id = new ProcessIdentity((int)k.Tgid, k.StartNs);
            var (sent, received) = bytes.Read(id, s);
            processes.Add(new ProcessEntry(id, Comm(s.Comm), s.CgroupId,
                sent, received, s.OpenedActive, s.OpenedPassive, s.Closed, s.RetransmittedSegments, s.ExitNs != 0));
        }
        bytes.Retain(processes.Select(p => p.Id).ToHashSet());
        var cgroups = new List<CgroupEntry>();
        foreach (var (id, v) in skel.Maps.Cgroups.EntriesInBatches())
        {
            var s = v;
            cgroups.Add(new CgroupEntry(id, s.OpenedActive, s.OpenedPassive, s.Closed, s.RetransmittedSegments, ((Span<ulong>)s.RttSlots).ToArray()));
        }
        var connections = new List<ConnectionEntry>();
        if (options.TrackConnections)
        {
            foreach (var (k, v) in skel.Maps.Conns.Entries())
            {
                var key = k;
                var s = v;
                var family = key.Family == 2 ? 4 : 16;
                var local = new IPEndPoint(new IPAddress(((Span<byte>)key.LocalAddr)[..family]), key.LocalPort);
                var remote = new IPEndPoint(new IPAddress(((Span<byte>)key.RemoteAddr)[..family]), key.RemotePort);
                connections.Add(new ConnectionEntry(new ConnectionKey(new ProcessIdentity((int)key.Tgid, key.StartNs), local, remote),
                    Comm(s.Comm), s.CgroupId, s.SentBytes, s.ReceivedBytes, s.RetransmittedSegments, s.Closed != 0));
            }
        }
        var stats = Enumerable.Range(0, 5).Select(i => skel.Maps.Stats.Lookup((uint)i).Aggregate(0UL, (a, b) => a + b)).ToArray();
        var fills = new List<MapFill>
        {
            new("procs", processes.Count, options.MaxProcesses, stats[0]),
            new("cgroups", cgroups.Count, options.MaxCgroups, stats[1]),
        };
        if (options.TrackConnections)
            fills.Add(new MapFill("conns", connections.Count, options.MaxConnections, stats[2]));
        return new KernelSnapshot(processes, cgroups, connections, fills, stats[3], stats[4]);
    }

    /// <summary>Forgets a process that is gone (after its grace period); its later deltas would be nothing anyway.</summary>
    public void Forget(ProcessIdentity id)
    {
        var key = new TcptopSkel.ProcKey { Tgid = (uint)id.Pid, StartNs = id.StartNs };
        skel.Maps.Procs.TryDelete(key);
    }

    /// <summary>Forgets a removed cgroup's connection counters and RTT histogram.</summary>
    public void ForgetCgroup(ulong id) => skel.Maps.Cgroups.TryDelete(id);

    /// <summary>Forgets a closed connection once its last bytes have been read.</summary>
    public void Forget(ConnectionKey id)
    {
        foreach (var k in skel.Maps.Conns.Keys)
        {
            var key = k;
            if (key.Tgid == (uint)id.Process.Pid && key.StartNs == id.Process.StartNs && key.LocalPort == id.Local.Port && key.RemotePort == id.Remote.Port)
                skel.Maps.Conns.TryDelete(key);
        }
    }

    /// <summary>
    /// For `tcptop bench`'s scrape measurement: <paramref name="count"/> made-up processes written into the kernel map
    /// (PIDs above any real pid_max, so none is mistaken for a live process), as many series as a busy node has.
    /// </summary>
    public void AddSyntheticProcesses(int count, ulong cgroupId)
    {
        for (var i = 0; i < count; i++)
        {
            var stats = new TcptopSkel.ProcStats
            {
                SentBytes = (ulong)(i + 1) * 1000, ReceivedBytes = (ulong)(i + 1) * 500, CgroupId = cgroupId,
            };
            var name = Encoding.ASCII.GetBytes($"synth{i}");
            var comm = MemoryMarshal.AsBytes((Span<sbyte>)stats.Comm);
            name.AsSpan(0, Math.Min(name.Length, 15)).CopyTo(comm);
            skel.Maps.Procs.Update(new TcptopSkel.ProcKey { Tgid = 0x7f000000u + (uint)i, StartNs = 1 }, stats);
        }
    }

    private static string Comm(TcptopSkel.SByteArray16 comm)
    {
        var bytes = MemoryMarshal.AsBytes((Span<sbyte>)comm);
        var end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }

    public void Dispose()
    {
        foreach (var link in Enumerable.Reverse(links))
            link.Dispose();
        links.Clear();
        skel?.Dispose();
    }
}
