using System.Net;
using System.Net.Sockets;
using Ebpf.Examples.Sockredir.Redirector;
using Ebpf.TestKit;
using static Ebpf.Examples.Sockredir.SockredirSkel.SpliceStat;

namespace Ebpf.Examples.Tests.Sockredir;

/// <summary>
/// Connections and network namespaces: a peer in another namespace, reached over a veth pair, is left to TCP (the
/// bytes cross the veth) whether or not its socket is in the map; the same 4-tuple in two namespaces stays two
/// separate connections. Both hold because the map key carries the namespace cookie.
/// </summary>
[Collection(SockredirCollection.Name)]
public sealed class SockredirVethTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)] // the client is in the map, its peer is not
    [InlineData(true)]  // both ends are in the map, under the same addresses, but in different namespaces
    public async Task APeerInAnotherNamespaceOverVethIsNotRedirectedAndGetsEveryByte(bool serverInCgroup)
    {
        const long bytes = 4 << 20;
        using var lab = new SockredirLab();
        using var far = new NetNamespace("sr2");
        using var veth = new VethPair(lab.Ns, "10.231.0.1/24", far, "10.231.0.2/24");
        lab.Attach();
        // The client in the cgroup in the lab's namespace; the server across the veth, in the cgroup or not.
        var (client, server) = lab.Connect(1, IPAddress.Parse("10.231.0.2"), IPAddress.Parse("10.231.0.2"), serverInCgroup: serverInCgroup, serverNs: far)[0];
        var inMap = serverInCgroup ? 2 : 1;
        Assert.Equal(inMap, lab.Redirector.SocketCount());
        var before = lab.Redirector.ReadStats();
        var (txBefore, rxBefore) = Counters(lab.Ns, veth.NameA);

        await Task.WhenAll(
            Streams.SendPatternAsync(client, 11, bytes, Ct),
            Streams.EchoAsync(server, 11, bytes, Ct),
            Streams.ReceivePatternAsync(client, 11, bytes, Ct));

        var d = lab.Redirector.ReadStats().Since(before);
        Assert.Equal(0UL, d[StatRedirectedBytes]);
        Assert.Equal(0UL, d[StatRedirectedMsgs]);
        // Every message a socket in the map sent ran the program and was passed to TCP: the first for want of a peer,
        // the rest because the socket was on TCP from then on.
        Assert.Equal((ulong)(inMap * bytes), d[StatPassedNoPeerBytes] + d[StatPassedTcpBoundBytes]);
        Assert.Equal((ulong)inMap, d[StatPassedNoPeer]);
        var (tx, rx) = Counters(lab.Ns, veth.NameA);
        Assert.True(tx - txBefore >= bytes, $"the veth sent {tx - txBefore} bytes for {bytes} bytes from the client");
        Assert.True(rx - rxBefore >= bytes, $"the veth received {rx - rxBefore} bytes for {bytes} bytes echoed back");
    }

    [Fact]
    public async Task TheSameFourTupleInTwoNamespacesStaysTwoConnections()
    {
        // 127.0.0.1:40124 -> 127.0.0.1:40123 in two namespaces (two containers on one host), all four sockets in
        // the cgroup. Keyed by the 4-tuple alone, the second pair would overwrite the first pair's entries and each
        // connection's bytes could land in the other namespace's socket.
        const long bytes = 2 << 20;
        const int serverPort = 40123, clientPort = 40124;
        using var lab = new SockredirLab();
        using var other = new NetNamespace("sr2");
        lab.Attach();
        var (clientA, serverA) = ConnectFixed(lab, lab.Ns, serverPort, clientPort);
        using var a1 = clientA;
        using var a2 = serverA;
        var (clientB, serverB) = ConnectFixed(lab, other, serverPort, clientPort);
        using var b1 = clientB;
        using var b2 = serverB;
        Assert.Equal(4, lab.Redirector.SocketCount());
        var before = lab.Redirector.ReadStats();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60)); // bytes delivered to the wrong socket would leave a reader waiting
        await Task.WhenAll(
            Streams.SendPatternAsync(clientA, 21, bytes, timeout.Token),
            Streams.EchoAsync(serverA, 21, bytes, timeout.Token),
            Streams.ReceivePatternAsync(clientA, 21, bytes, timeout.Token),
            Streams.SendPatternAsync(clientB, 22, bytes, timeout.Token),
            Streams.EchoAsync(serverB, 22, bytes, timeout.Token),
            Streams.ReceivePatternAsync(clientB, 22, bytes, timeout.Token));

        // Each connection redirected within its own namespace: both directions of both connections.
        Assert.Equal((ulong)(4 * bytes), lab.Redirector.ReadStats().Since(before)[StatRedirectedBytes]);
    }

    /// <summary>A connection 127.0.0.1:<paramref name="clientPort"/> -> 127.0.0.1:<paramref name="serverPort"/> inside <paramref name="ns"/>, both ends in the cgroup.</summary>
    private static (Socket Client, Socket Server) ConnectFixed(SockredirLab lab, NetNamespace ns, int serverPort, int clientPort)
    {
        using var listener = lab.CreateIn(true, ns, () =>
        {
            var l = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            l.Bind(new IPEndPoint(IPAddress.Loopback, serverPort));
            l.Listen(1);
            return l;
        });
        var client = lab.CreateIn(true, ns, () =>
        {
            var c = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            c.Bind(new IPEndPoint(IPAddress.Loopback, clientPort));
            c.Connect(new IPEndPoint(IPAddress.Loopback, serverPort));
            return c;
        });
        return (client, listener.Accept());
    }

    private static (long Tx, long Rx) Counters(NetNamespace ns, string dev) =>
        (long.Parse(ns.Check("cat", $"/sys/class/net/{dev}/statistics/tx_bytes").Trim()),
         long.Parse(ns.Check("cat", $"/sys/class/net/{dev}/statistics/rx_bytes").Trim()));
}
