using Ebpf.Examples.Sockredir;
using Ebpf.Examples.Sockredir.Redirector;
using Ebpf.Examples.Tcptop.Kernel;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// Other ways bytes move: sendfile is counted exactly (it reaches sock_sendmsg); through examples/sockredir's sk_msg
/// redirection both ends are still counted exactly; a receiver that reads with splice(2) bypasses recvmsg and its
/// bytes are not counted (docs/tcptop.md says so; this test pins it down, so a kernel that starts counting them shows).
/// </summary>
[Collection(TcptopCollection.Name)]
public sealed class TcptopPathsTests
{
    private const long Bytes = 2_000_003;

    [Fact]
    public void SendfileIsCountedExactly()
    {
        Kernel.RequireRoot();
        using var tracer = new TcpTracer(new TracerOptions());
        using var senders = new TempCgroup("ttfs");
        using var receivers = new TempCgroup("ttfr");
        var tx = TcpPeers.Comm("sftx");
        var rx = TcpPeers.Comm("sfrx");
        var (server, port) = TcpPeers.Serve(receivers, null, rx, "127.0.0.1");
        using (server)
        using (var client = TcpPeers.SendFile(senders, tx, "127.0.0.1", port, Bytes))
        {
            Assert.Equal(Bytes, TcpPeers.Result(client, "sent"));
            Assert.Equal(Bytes, TcpPeers.Result(server, "received"));
        }
        var snap = tracer.Read();
        Assert.Equal((ulong)Bytes, Assert.Single(snap.Processes, p => p.Comm == tx).SentBytes);
        Assert.Equal((ulong)Bytes, Assert.Single(snap.Processes, p => p.Comm == rx).ReceivedBytes);
    }

    [Fact]
    public void SpliceReceivesAreNotCounted()
    {
        Kernel.RequireRoot();
        using var tracer = new TcpTracer(new TracerOptions());
        using var senders = new TempCgroup("ttps");
        using var receivers = new TempCgroup("ttpr");
        var tx = TcpPeers.Comm("sptx");
        var rx = TcpPeers.Comm("sprx");
        var (server, port) = TcpPeers.SpliceServe(receivers, rx, "127.0.0.1");
        using (server)
        using (var client = TcpPeers.Send(senders, null, tx, "127.0.0.1", port, Bytes, 65536))
        {
            Assert.Equal(Bytes, TcpPeers.Result(client, "sent"));
            Assert.Equal(Bytes, TcpPeers.Result(server, "received"));
        }
        var snap = tracer.Read();
        Assert.Equal((ulong)Bytes, Assert.Single(snap.Processes, p => p.Comm == tx).SentBytes);
        // tcp_splice_read takes the bytes off the socket without sock_recvmsg: no sock_recv_length, nothing counted.
        var receiver = snap.Processes.SingleOrDefault(p => p.Comm == rx);
        Assert.Equal(0UL, receiver?.ReceivedBytes ?? 0);
    }

    [Fact]
    public void BytesRedirectedBySockredirAreCountedExactlyAtBothEnds()
    {
        Kernel.RequireRoot();
        using var tracer = new TcpTracer(new TracerOptions());
        using var cgroup = new TempCgroup("ttsr");
        using var redirector = new SocketRedirector();
        redirector.Attach(cgroup.Path);
        var tx = TcpPeers.Comm("srtx");
        var rx = TcpPeers.Comm("srrx");
        var before = redirector.ReadStats();
        var (server, port) = TcpPeers.Serve(cgroup, null, rx, "127.0.0.1");
        using (server)
        using (var client = TcpPeers.Send(cgroup, null, tx, "127.0.0.1", port, Bytes, 4096, 65536, 100_000))
        {
            Assert.Equal(Bytes, TcpPeers.Result(client, "sent"));
            Assert.Equal(Bytes, TcpPeers.Result(server, "received"));
        }
        var redirected = redirector.ReadStats()[SockredirSkel.SpliceStat.StatRedirectedBytes] - before[SockredirSkel.SpliceStat.StatRedirectedBytes];
        Assert.True(redirected > 0, "sockredir redirected nothing: the test did not exercise the sk_msg path");
        var snap = tracer.Read();
        Assert.Equal((ulong)Bytes, Assert.Single(snap.Processes, p => p.Comm == tx).SentBytes);
        Assert.Equal((ulong)Bytes, Assert.Single(snap.Processes, p => p.Comm == rx).ReceivedBytes);
    }
}
