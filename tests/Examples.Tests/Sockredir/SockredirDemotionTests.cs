using System.Net;
using System.Net.Sockets;
using Ebpf.Examples.Sockredir.Redirector;
using static Ebpf.Examples.Sockredir.SockredirSkel.SpliceStat;

namespace Ebpf.Examples.Tests.Sockredir;

/// <summary>
/// Sockets that move from redirection to TCP: once a socket has sent through TCP it stays there (a later redirected
/// message would be read before TCP bytes the peer has not read yet), and a stream of small writes that outruns its
/// reader is handed to TCP on purpose. Every byte is checked, in order, with the reader behind at the moment of the
/// switch, which is when an ordering mistake would show.
/// </summary>
[Collection(SockredirCollection.Name)]
public sealed class SockredirDemotionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void ASocketThatSentThroughTcpNeverRedirectsAgain()
    {
        // redirect_max_bytes = 1000: the 5,000-byte write goes to TCP. The ten-byte writes after it are small enough to
        // redirect; if they were, the reader (which starts only once everything is sent) would get them from the
        // redirected queue before the 5,000 TCP bytes. Run against a program without the TCP-bound mark, this fails.
        using var lab = new SockredirLab(new RedirectorOptions { RedirectMaxBytes = 1000 });
        lab.Attach();
        var (client, server) = lab.Connect(1, IPAddress.Loopback, IPAddress.Loopback)[0];
        client.NoDelay = true;
        var before = lab.Redirector.ReadStats();

        var offset = Streams.WritePattern(client, 5, [1, 5000, .. Enumerable.Repeat(10, 100)]);
        var received = new byte[offset];
        server.ReceiveTimeout = 10_000;
        Streams.ReadExactly(server, received);

        Assert.Equal(-1, Streams.Mismatch(received, received.Length, 5, 0));
        var d = lab.Redirector.ReadStats().Since(before);
        Assert.Equal(1UL, d[StatRedirectedMsgs]);
        Assert.Equal(1UL, d[StatPassedLarge]);
        Assert.Equal(100UL, d[StatPassedTcpBound]);
        Assert.Equal(1000UL, d[StatPassedTcpBoundBytes]);
    }

    [Fact]
    public void ASocketThatSentDataInItsSynNeverRedirects()
    {
        // TCP Fast Open: the client's first write leaves in the SYN, through TCP, before the socket is in the map.
        // The client's later small writes must not be redirected past those bytes (the server reads only after all
        // of them are sent). The first connection fetches the Fast Open cookie; the second sends data in its SYN.
        const int IpProtoTcp = 6, TcpFastOpen = 23, TcpFastOpenConnect = 30; // Socket.SetSocketOption does not know them
        static byte[] Int(int v) => BitConverter.GetBytes(v);
        using var lab = new SockredirLab();
        lab.Ns.Check("sysctl", "-q", "-w", "net.ipv4.tcp_fastopen=3"); // client and server, in the lab's namespace only
        lab.Attach();
        using var listener = lab.CreateIn(true, lab.Ns, () =>
        {
            var l = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            l.SetRawSocketOption(IpProtoTcp, TcpFastOpen, Int(16)); // queue of pending Fast Open requests
            l.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            l.Listen(16);
            return l;
        });
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        Socket FastOpenClient() => lab.CreateIn(true, lab.Ns, () =>
        {
            var c = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            c.SetRawSocketOption(IpProtoTcp, TcpFastOpenConnect, Int(1)); // connect() returns at once; the first write goes in the SYN
            c.Connect(new IPEndPoint(IPAddress.Loopback, port));
            return c;
        });

        using (var first = FastOpenClient())
        {
            first.Send([1]);
            using var accepted = listener.Accept();
            Assert.Equal(1, accepted.Receive(new byte[1]));
        }
        var before = lab.Redirector.ReadStats();
        using var client = FastOpenClient();
        var offset = Streams.WritePattern(client, 7, [100, .. Enumerable.Repeat(10, 50)]);
        using var server = listener.Accept();
        server.ReceiveTimeout = 10_000;
        var received = new byte[offset];
        Streams.ReadExactly(server, received);

        Assert.Equal(-1, Streams.Mismatch(received, received.Length, 7, 0));
        var d = lab.Redirector.ReadStats().Since(before);
        Assert.Equal(50UL, d[StatPassedTcpBound]); // so the first 100 bytes did leave in the SYN
        Assert.Equal(0UL, d[StatRedirectedMsgs]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // --demote-after 0: the same stream stays redirected
    public async Task ASmallWriteStreamAheadOfItsReaderMovesToTcpWithEveryByteInOrder(bool demote)
    {
        const int writeSize = 64, writesCount = 20_000;
        const long total = (long)writeSize * writesCount;
        using var lab = new SockredirLab(demote ? null : new RedirectorOptions { DemoteAfterMessages = 0 });
        lab.Attach();
        var (client, server) = lab.Connect(1, IPAddress.Loopback, IPAddress.Loopback)[0];
        client.NoDelay = true;
        var before = lab.Redirector.ReadStats();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var writer = Task.Run(() =>
        {
            var chunk = new byte[writeSize];
            for (var i = 0; i < writesCount; i++)
            {
                Streams.Fill(chunk, writeSize, 9, (long)i * writeSize);
                Streams.WriteAll(client, chunk);
            }
        }, timeout.Token);
        // The reader starts only after a synchronisation point, not after a head start: once the switch to TCP has
        // happened while the first writes sit unread in the redirected queue (or, without demotion, once redirected
        // bytes are queued); the TCP bytes behind them wait in the receive queue.
        while (!writer.IsCompleted)
        {
            var soFar = lab.Redirector.ReadStats().Since(before);
            if (demote ? soFar[StatDemoted] > 0 : soFar[StatRedirectedBytes] > 0)
                break;
            await Task.Delay(5, timeout.Token);
        }
        await Streams.ReceivePatternAsync(server, 9, total, timeout.Token);
        await writer;

        var d = lab.Redirector.ReadStats().Since(before);
        if (demote)
        {
            Assert.Equal(1UL, d[StatDemoted]);
            Assert.True(d[StatRedirectedBytes] > 0, "the stream started redirected");
            Assert.True(d[StatPassedTcpBoundBytes] > total / 2, $"most of the stream went to TCP: {d}");
            Assert.Equal((ulong)total, d[StatRedirectedBytes] + d[StatPassedTcpBoundBytes]);
        }
        else
        {
            Assert.Equal(0UL, d[StatDemoted]);
            Assert.Equal((ulong)total, d[StatRedirectedBytes]);
        }
    }

    [Fact]
    public void SmallRequestsAndResponsesStayRedirected()
    {
        // Each request finds the server's queue drained (the server read the last one before it answered): the
        // small-write rule never fires, and request/response keeps the latency that redirection gives it.
        const int size = 64, exchanges = 2000;
        using var lab = new SockredirLab();
        lab.Attach();
        var pair = lab.Connect(1, IPAddress.Loopback, IPAddress.Loopback)[0];
        pair.Client.NoDelay = pair.Server.NoDelay = true;
        var before = lab.Redirector.ReadStats();

        RequestResponse.Exchanges(pair, size, exchanges);

        var d = lab.Redirector.ReadStats().Since(before);
        Assert.Equal(0UL, d[StatDemoted]);
        Assert.Equal(0UL, d[StatPassedTcpBound]);
        Assert.Equal((ulong)(2 * exchanges), d[StatRedirectedMsgs]);
    }
}
