using Ebpf.Examples.Tcptop.Cgroups;
using Ebpf.Examples.Tcptop.Kernel;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// Exact bytes: a process in a cgroup of its own sends exactly N bytes over TCP, in writes of many sizes, to a peer in
/// another cgroup. The kernel maps (read in this test process) and a scrape of `tcptop export` both give N sent for the
/// sender and N received for the peer, per process and per cgroup, and nothing the other way round. Over IPv4 and IPv6
/// loopback and over a veth between two network namespaces; and a receiver that peeks (MSG_PEEK) at every chunk
/// before reading it is counted once.
/// </summary>
[Collection(TcptopCollection.Name)]
public sealed class TcptopBytesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Not a round number, and writes from 1 byte to more than one socket buffer's worth.
    private const long Bytes = 3_000_017;
    private static readonly int[] WriteSizes = [1, 7, 100, 1000, 1448, 4096, 65536, 200_000];

    public static TheoryData<string> Paths => ["ipv4", "ipv6", "veth"];

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task SentAndReceivedAreExactlyWhatThePeersMoved(string path)
    {
        Kernel.RequireRoot();
        using var tracer = new TcpTracer(new TracerOptions());
        using var export = new ExportRun();
        using var senderCgroup = new TempCgroup("tts");
        using var receiverCgroup = new TempCgroup("ttr");
        using var nsClient = path == "veth" ? new NetNamespace("ttc") : null;
        using var nsServer = path == "veth" ? new NetNamespace("ttv") : null;
        using var veth = path == "veth" ? new VethPair(nsClient, "10.219.7.1/24", nsServer, "10.219.7.2/24") : null;
        var address = path switch { "ipv4" => "127.0.0.1", "ipv6" => "::1", _ => "10.219.7.2" };
        var txComm = TcpPeers.Comm(path[..2] + "tx");
        var rxComm = TcpPeers.Comm(path[..2] + "rx");

        var (server, port) = TcpPeers.Serve(receiverCgroup, nsServer, rxComm, address);
        using (server)
        using (var client = TcpPeers.Send(senderCgroup, nsClient, txComm, address, port, Bytes, WriteSizes))
        {
            Assert.Equal(Bytes, TcpPeers.Result(client, "sent"));
            Assert.Equal(Bytes, TcpPeers.Result(server, "received"));
        }

        // The maps: one entry per process; the sender's entry sent N and received nothing, the receiver's the reverse.
        var snap = tracer.Read();
        var tx = Assert.Single(snap.Processes, p => p.Comm == txComm);
        var rx = Assert.Single(snap.Processes, p => p.Comm == rxComm);
        Assert.Equal((ulong)Bytes, tx.SentBytes);
        Assert.Equal(0UL, tx.ReceivedBytes);
        Assert.Equal((ulong)Bytes, rx.ReceivedBytes);
        Assert.Equal(0UL, rx.SentBytes);
        var names = new CgroupNames();
        Assert.Equal(names.IdOf(senderCgroup.Path), tx.CgroupId);
        Assert.Equal(names.IdOf(receiverCgroup.Path), rx.CgroupId);
        Assert.Equal(1UL, tx.OpenedActive);
        Assert.Equal(1UL, rx.OpenedPassive);
        Assert.True(tx.Exited && rx.Exited, "both peers exited, and sched_process_exit marked them");

        // The scrape: the same numbers under the processes' and the cgroups' labels.
        var scrape = await export.ScrapeAsync(Ct);
        var senderName = names.Relative(senderCgroup.Path);
        var receiverName = names.Relative(receiverCgroup.Path);
        Assert.Equal(Bytes, scrape.Sum("tcptop_sent_bytes_total", ("comm", txComm)));
        Assert.Equal(0, scrape.Sum("tcptop_received_bytes_total", ("comm", txComm)));
        Assert.Equal(Bytes, scrape.Sum("tcptop_received_bytes_total", ("comm", rxComm)));
        Assert.Equal(0, scrape.Sum("tcptop_sent_bytes_total", ("comm", rxComm)));
        Assert.Equal(Bytes, scrape.Sum("tcptop_sent_bytes_total", ("comm", txComm), ("cgroup", senderName)));
        Assert.Equal(Bytes, scrape.Sum("tcptop_cgroup_sent_bytes_total", ("cgroup", senderName)));
        Assert.Equal(0, scrape.Sum("tcptop_cgroup_received_bytes_total", ("cgroup", senderName)));
        Assert.Equal(Bytes, scrape.Sum("tcptop_cgroup_received_bytes_total", ("cgroup", receiverName)));
        Assert.Equal(1, scrape.Sum("tcptop_connections_opened_total", ("cgroup", senderName), ("direction", "active")));
        Assert.Equal(1, scrape.Sum("tcptop_connections_opened_total", ("cgroup", receiverName), ("direction", "passive")));
        Assert.Equal(1, scrape.Sum("tcptop_connections_closed_total", ("cgroup", senderName)));
        Assert.Equal(1, scrape.Sum("tcptop_rtt_seconds_count", ("cgroup", senderName)));
    }

    [Fact]
    public async Task PeekedBytesAreCountedOnce()
    {
        Kernel.RequireRoot();
        using var tracer = new TcpTracer(new TracerOptions());
        using var export = new ExportRun();
        using var senderCgroup = new TempCgroup("ttks");
        using var receiverCgroup = new TempCgroup("ttkr");
        var txComm = TcpPeers.Comm("pktx");
        var rxComm = TcpPeers.Comm("pkrx");

        var (server, port) = TcpPeers.PeekServe(receiverCgroup, rxComm, "127.0.0.1");
        using (server)
        using (var client = TcpPeers.Send(senderCgroup, null, txComm, "127.0.0.1", port, Bytes, WriteSizes))
        {
            Assert.Equal(Bytes, TcpPeers.Result(client, "sent"));
            var received = TcpPeers.Results(server);
            Assert.Equal(Bytes, received["received"]);
            // Every byte went through a MSG_PEEK receive first: counting those too would give 2N.
            Assert.Equal(Bytes, received["peeked"]);
        }

        var rx = Assert.Single(tracer.Read().Processes, p => p.Comm == rxComm);
        Assert.Equal((ulong)Bytes, rx.ReceivedBytes);
        Assert.Equal(0UL, rx.SentBytes);

        var scrape = await export.ScrapeAsync(Ct);
        var receiverName = new CgroupNames().Relative(receiverCgroup.Path);
        Assert.Equal(Bytes, scrape.Sum("tcptop_received_bytes_total", ("comm", rxComm)));
        Assert.Equal(Bytes, scrape.Sum("tcptop_cgroup_received_bytes_total", ("cgroup", receiverName)));
        Assert.Equal(Bytes, scrape.Sum("tcptop_sent_bytes_total", ("comm", txComm)));
    }
}
