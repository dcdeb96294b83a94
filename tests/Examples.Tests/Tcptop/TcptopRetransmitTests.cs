using Ebpf.Examples.Tcptop.Cgroups;
using Ebpf.Examples.Tcptop.Kernel;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// Retransmits: across a veth between two network namespaces, the server's side drops every 20th incoming data
/// segment (iptables statistic nth; this kernel has no netem). The sender's retransmitted segments in tcptop match the
/// client namespace's own /proc/net/snmp RetransSegs delta within 5%, are attributed to the sender's process and
/// cgroup, and a control flow without drops in the same run shows 0.
/// </summary>
[Collection(TcptopCollection.Name)]
public sealed class TcptopRetransmitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RetransmittedSegmentsMatchTheNamespacesRetransSegs()
    {
        Kernel.RequireRoot();
        const long bytes = 3_000_000;
        using var tracer = new TcpTracer(new TracerOptions());
        using var export = new ExportRun();
        using var lossy = new TempCgroup("ttrl");
        using var control = new TempCgroup("ttrc");
        using var receivers = new TempCgroup("ttrr");
        using var nsClient = new NetNamespace("ttrc");
        using var nsServer = new NetNamespace("ttrs");
        using var veth = new VethPair(nsClient, "10.219.11.1/24", nsServer, "10.219.11.2/24");
        // One packet per segment (no TSO/GSO aggregates), so "every 20th packet" is every 20th segment.
        nsClient.Check("ethtool", "-K", veth.NameA, "tso", "off", "gso", "off");
        nsServer.Check("ethtool", "-K", veth.NameB, "tso", "off", "gso", "off", "gro", "off");
        var lossyComm = TcpPeers.Comm("rtlossy");
        var controlComm = TcpPeers.Comm("rtctl");

        var (lossyServer, lossyPort) = TcpPeers.Serve(receivers, nsServer, TcpPeers.Comm("rtrx1"), "10.219.11.2");
        var (controlServer, controlPort) = TcpPeers.Serve(receivers, nsServer, TcpPeers.Comm("rtrx2"), "10.219.11.2");
        // Data segments only (longer than any bare ACK or SYN), so no handshake packet is dropped.
        nsServer.Check("iptables", "-A", "INPUT", "-p", "tcp", "--dport", lossyPort.ToString(), "-m", "length", "--length", "200:65535",
            "-m", "statistic", "--mode", "nth", "--every", "20", "--packet", "0", "-j", "DROP");
        var before = RetransSegs(nsClient);
        using (lossyServer)
        using (controlServer)
        using (var a = TcpPeers.Send(lossy, nsClient, lossyComm, "10.219.11.2", lossyPort, bytes, 1448, 65536))
        using (var b = TcpPeers.Send(control, nsClient, controlComm, "10.219.11.2", controlPort, bytes, 1448, 65536))
        {
            Assert.Equal(bytes, TcpPeers.Result(a, "sent"));
            Assert.Equal(bytes, TcpPeers.Result(b, "sent"));
            Assert.Equal(bytes, TcpPeers.Result(lossyServer, "received"));
            Assert.Equal(bytes, TcpPeers.Result(controlServer, "received"));
        }
        var kernelCount = RetransSegs(nsClient) - before;
        var dropped = ulong.Parse(nsServer.Check("sh", "-c", "iptables -L INPUT -v -x -n | awk '/DROP/ {print $1}'").Trim());
        Assert.True(dropped >= 50, $"only {dropped} segments dropped: the test did not lose enough to measure");

        var snap = tracer.Read();
        var names = new CgroupNames();
        var lossyProcess = Assert.Single(snap.Processes, p => p.Comm == lossyComm);
        var lossyCgroup = Assert.Single(snap.Cgroups, c => c.CgroupId == names.IdOf(lossy.Path));
        var controlProcess = Assert.Single(snap.Processes, p => p.Comm == controlComm);
        var controlCgroup = snap.Cgroups.SingleOrDefault(c => c.CgroupId == names.IdOf(control.Path));
        Assert.True(Math.Abs((double)lossyCgroup.RetransmittedSegments - kernelCount) <= 0.05 * kernelCount,
            $"tcptop counted {lossyCgroup.RetransmittedSegments} retransmitted segments, the namespace's RetransSegs grew by {kernelCount} ({dropped} dropped)");
        Assert.Equal(lossyCgroup.RetransmittedSegments, lossyProcess.RetransmittedSegments);
        Assert.Equal(0UL, controlProcess.RetransmittedSegments);
        Assert.Equal(0UL, controlCgroup?.RetransmittedSegments ?? 0);

        var scrape = await export.ScrapeAsync(Ct);
        Assert.Equal((double)lossyCgroup.RetransmittedSegments, scrape.Sum("tcptop_retransmitted_segments_total", ("cgroup", names.Relative(lossy.Path))));
        Assert.Equal(0, scrape.Sum("tcptop_retransmitted_segments_total", ("cgroup", names.Relative(control.Path))));
    }

    /// <summary>Tcp: RetransSegs of the namespace's own /proc/net/snmp.</summary>
    private static ulong RetransSegs(NetNamespace ns)
    {
        var lines = ns.Check("cat", "/proc/net/snmp").Split('\n').Where(l => l.StartsWith("Tcp:", StringComparison.Ordinal)).ToArray();
        var header = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return ulong.Parse(values[Array.IndexOf(header, "RetransSegs")]);
    }
}
