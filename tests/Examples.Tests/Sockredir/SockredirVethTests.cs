using System.Net;
using Ebpf.Examples.Sockredir.Redirector;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Sockredir;

/// <summary>
/// A connection whose peer is in another network namespace, reached over a veth pair: the redirector must leave it
/// to TCP (the bytes cross the veth) and it must work, every byte intact.
/// </summary>
[Collection(SockredirCollection.Name)]
public sealed class SockredirVethTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task APeerInAnotherNamespaceOverVethIsNotRedirectedAndGetsEveryByte()
    {
        const long bytes = 4 << 20;
        using var lab = new SockredirLab();
        using var far = new NetNamespace("sr2");
        using var veth = new VethPair(lab.Ns, "10.231.0.1/24", far, "10.231.0.2/24");
        lab.Attach();
        // The client (in the cgroup, so in the map) in the lab's namespace; the server outside the cgroup, across the veth.
        var (client, server) = lab.Connect(1, IPAddress.Parse("10.231.0.2"), IPAddress.Parse("10.231.0.2"), serverInCgroup: false, serverNs: far)[0];
        Assert.Equal(1, lab.Redirector.SocketCount());
        var before = lab.Redirector.ReadStats();
        var (txBefore, rxBefore) = Counters(lab.Ns, veth.NameA);

        await Task.WhenAll(
            Streams.SendPatternAsync(client, 11, bytes, Ct),
            Streams.EchoAsync(server, 11, bytes, Ct),
            Streams.ReceivePatternAsync(client, 11, bytes, Ct));

        var d = lab.Redirector.ReadStats().Since(before);
        Assert.Equal(0UL, d[Stat.RedirectedBytes]);
        Assert.Equal(0UL, d[Stat.RedirectedMessages]);
        // Every message the client sent ran the program, found no peer in the map and was passed to TCP.
        Assert.Equal((ulong)bytes, d[Stat.PassedNoPeerBytes]);
        Assert.True(d[Stat.PassedNoPeer] > 0);
        var (tx, rx) = Counters(lab.Ns, veth.NameA);
        Assert.True(tx - txBefore >= bytes, $"the veth sent {tx - txBefore} bytes for {bytes} bytes from the client");
        Assert.True(rx - rxBefore >= bytes, $"the veth received {rx - rxBefore} bytes for {bytes} bytes echoed back");
    }

    private static (long Tx, long Rx) Counters(NetNamespace ns, string dev) =>
        (long.Parse(ns.Check("cat", $"/sys/class/net/{dev}/statistics/tx_bytes").Trim()),
         long.Parse(ns.Check("cat", $"/sys/class/net/{dev}/statistics/rx_bytes").Trim()));
}
