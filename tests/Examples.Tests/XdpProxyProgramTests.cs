using System.Net;
using Ebpf.Examples.XdpProxy;
using Ebpf.Examples.XdpProxy.ControlPlane;
using Ebpf.Examples.XdpProxy.DataPlane;
using Ebpf.Links;
using Ebpf.Programs;
using Ebpf.TestKit;
using static Ebpf.Examples.Tests.XdpProxyFrames;

namespace Ebpf.Examples.Tests;

/// <summary>
/// xdp_proxy run on frames built here (BPF_PROG_TEST_RUN), against maps the real control plane
/// filled: every branch, the rewritten headers checked field by field and both checksums recomputed
/// from scratch in C#.
/// </summary>
[Collection(XdpProxyCollection.Name)]
public sealed class XdpProxyProgramTests : IDisposable
{
    private static readonly IPAddress Vip = IPAddress.Parse("10.211.0.100");
    private static readonly IPAddress Snat = IPAddress.Parse("10.211.0.2");
    private static readonly IPAddress Client = IPAddress.Parse("10.211.0.10");
    private static readonly IPAddress Client2 = IPAddress.Parse("10.211.0.11");
    private static readonly IPEndPoint Be1 = new(IPAddress.Parse("10.211.0.21"), 80);
    private static readonly IPEndPoint Be2 = new(IPAddress.Parse("10.211.0.22"), 8080); // another port: the port is rewritten too
    private const int Port = 80;
    private static readonly byte[] LbMac = Mac(0x02), ClientMac = Mac(0x0a), Client2Mac = Mac(0x0b);
    private static readonly Dictionary<IPAddress, byte[]> BackendMacs = new()
    {
        [Be1.Address] = Mac(0x15),
        [Be2.Address] = Mac(0x16),
    };

    private readonly ProxyDataPlane plane;
    private readonly Balancer balancer;

    public XdpProxyProgramTests()
    {
        Kernel.RequireRoot();
        plane = new ProxyDataPlane();
        balancer = new Balancer(plane, Options(Be1, Be2), (ip, _) => BackendMacs[ip]);
        balancer.Configure();
    }

    public void Dispose() => balancer.Dispose();

    /// <summary>xdp_proxy once on <paramref name="frame"/> (BPF_PROG_TEST_RUN) against the maps the balancer filled.</summary>
    private TestRunResult Run(byte[] frame) => plane.Skel.Programs.XdpProxy.TestRun(frame);

    private static BalancerOptions Options(params IPEndPoint[] backends) =>
        new("unused", null, Vip, Port, backends, XdpAttachMode.Native, Snat, 10000, 32767);

    [Fact]
    public void ClientPacketGoesToTheBackendTheTablePicks_EveryFieldChecked()
    {
        var payload = "GET / HTTP/1.1\r\n\r\n"u8.ToArray();
        var input = TcpFrame(LbMac, ClientMac, Client, Vip, 40000, Port, Psh | Ack, seq: 123456, ack: 654321, payload: payload);
        var expected = ExpectedBackend(Client, 40000);

        var r = Run(input);

        Assert.Equal(XdpAction.Tx, r.XdpAction);
        Assert.Equal(input.Length, r.Packet.Length);
        var before = ParsedTcpFrame.Parse(input);
        var after = ParsedTcpFrame.Parse(r.Packet);
        Assert.Equal(BackendMacs[expected.Address], after.DstMac);
        Assert.Equal(LbMac, after.SrcMac);
        Assert.Equal(Snat, after.Src);
        Assert.Equal(expected.Address, after.Dst);
        Assert.InRange(after.SrcPort, 10000, 32767);
        Assert.Equal(expected.Port, after.DstPort);
        // Everything else untouched.
        Assert.Equal((before.Ihl, before.TotalLength, before.Id, before.Fragment, before.Ttl, before.Protocol),
                     (after.Ihl, after.TotalLength, after.Id, after.Fragment, after.Ttl, after.Protocol));
        Assert.Equal((before.Seq, before.Ack, before.Flags, before.Window), (after.Seq, after.Ack, after.Flags, after.Window));
        Assert.Equal(payload, after.Payload);
        Assert.True(after.IpChecksumValid, "IPv4 header checksum is wrong after the rewrite");
        Assert.True(after.TcpChecksumValid, "TCP checksum is wrong after the rewrite");
    }

    [Fact]
    public void BackendReplyGoesBackToTheClient_EveryFieldChecked()
    {
        var toBackend = ParsedTcpFrame.Parse(Run(TcpFrame(LbMac, ClientMac, Client, Vip, 40001, Port)).Packet);
        var backend = new IPEndPoint(toBackend.Dst, toBackend.DstPort);
        var payload = "HTTP/1.1 200 OK\r\n\r\nbe\n"u8.ToArray();
        var reply = TcpFrame(LbMac, BackendMacs[backend.Address], backend.Address, Snat, backend.Port, toBackend.SrcPort,
            Syn | Ack, seq: 777, ack: 1001, payload: payload);

        var r = Run(reply);

        Assert.Equal(XdpAction.Tx, r.XdpAction);
        var before = ParsedTcpFrame.Parse(reply);
        var after = ParsedTcpFrame.Parse(r.Packet);
        Assert.Equal(ClientMac, after.DstMac);
        Assert.Equal(LbMac, after.SrcMac);
        Assert.Equal(Vip, after.Src);
        Assert.Equal(Client, after.Dst);
        Assert.Equal(Port, after.SrcPort);
        Assert.Equal(40001, after.DstPort);
        Assert.Equal((before.TotalLength, before.Id, before.Ttl), (after.TotalLength, after.Id, after.Ttl));
        Assert.Equal((before.Seq, before.Ack, before.Flags, before.Window), (after.Seq, after.Ack, after.Flags, after.Window));
        Assert.Equal(payload, after.Payload);
        Assert.True(after.IpChecksumValid, "IPv4 header checksum is wrong after the rewrite");
        Assert.True(after.TcpChecksumValid, "TCP checksum is wrong after the rewrite");
    }

    [Fact]
    public void ClientsSharingASourcePortGetTheirOwnNatPortsAndReplies()
    {
        // One backend, so both flows certainly meet on it.
        balancer.Remove(Be2);
        var a = ParsedTcpFrame.Parse(Run(TcpFrame(LbMac, ClientMac, Client, Vip, 5555, Port)).Packet);
        var b = ParsedTcpFrame.Parse(Run(TcpFrame(LbMac, Client2Mac, Client2, Vip, 5555, Port)).Packet);
        Assert.Equal(Be1.Address, a.Dst);
        Assert.Equal(Be1.Address, b.Dst);
        Assert.NotEqual(a.SrcPort, b.SrcPort);

        foreach (var (nat, client, mac) in new[] { (a.SrcPort, Client, ClientMac), (b.SrcPort, Client2, Client2Mac) })
        {
            var r = Run(TcpFrame(LbMac, BackendMacs[Be1.Address], Be1.Address, Snat, Be1.Port, nat, Ack));
            Assert.Equal(XdpAction.Tx, r.XdpAction);
            var back = ParsedTcpFrame.Parse(r.Packet);
            Assert.Equal((client, 5555), (back.Dst, back.DstPort));
            Assert.Equal(mac, back.DstMac);
            Assert.True(back.TcpChecksumValid && back.IpChecksumValid);
        }
    }

    [Fact]
    public void AFlowKeepsItsBackendAndNatPort_EvenWhenItsBackendIsRemoved()
    {
        var first = ParsedTcpFrame.Parse(Run(TcpFrame(LbMac, ClientMac, Client, Vip, 41000, Port)).Packet);
        for (var i = 0; i < 3; i++)
        {
            var again = ParsedTcpFrame.Parse(Run(TcpFrame(LbMac, ClientMac, Client, Vip, 41000, Port, Ack, seq: (uint)(1001 + i))).Packet);
            Assert.Equal((first.Dst, first.DstPort, first.SrcPort), (again.Dst, again.DstPort, again.SrcPort));
        }

        var backend = new IPEndPoint(first.Dst, first.DstPort);
        balancer.Remove(backend); // drains: the table no longer names it, the flow stays
        Assert.DoesNotContain((uint)balancer.SlotOf(backend) + 1, balancer.Table);
        var later = ParsedTcpFrame.Parse(Run(TcpFrame(LbMac, ClientMac, Client, Vip, 41000, Port, Ack, seq: 2000)).Packet);
        Assert.Equal((first.Dst, first.DstPort, first.SrcPort), (later.Dst, later.DstPort, later.SrcPort));

        // New flows avoid the removed backend.
        for (var port = 42000; port < 42020; port++)
            Assert.NotEqual(backend.Address, ParsedTcpFrame.Parse(Run(TcpFrame(LbMac, ClientMac, Client, Vip, port, Port)).Packet).Dst);
    }

    [Fact]
    public void TheRewriteChangesOnlyMacsAddressesPortsAndChecksums()
    {
        // The same rewrite seen through the test kit's TestRun: a field the program should not touch shows in the diff.
        var expected = ExpectedBackend(Client, 40500);
        var outcome = TestRun.Of(plane.Skel.Programs.XdpProxy)
            .WithFrame(TcpFrame(LbMac, ClientMac, Client, Vip, 40500, Port, Psh | Ack, payload: "x"u8.ToArray()))
            .Run()
            .ShouldReturn(XdpAction.Tx)
            .ShouldChange("ipv4.src", Snat.ToString())
            .ShouldChange("ipv4.dst", expected.Address.ToString())
            .ShouldChange("eth.src", "02:00:0a:d3:00:02")
            .ShouldHaveValidChecksums();
        string[] rewritten = ["eth.dst", "eth.src", "ipv4.checksum", "ipv4.src", "ipv4.dst", "tcp.sport", "tcp.checksum"];
        outcome.ShouldChangeOnly(expected.Port == Port ? rewritten : [.. rewritten, "tcp.dport"]);
    }

    [Fact]
    public void IpOptionsAreKeptAndCoveredByTheNewHeaderChecksum()
    {
        Ipv4Option[] options = [Ipv4Option.Nop, Ipv4Option.Nop, Ipv4Option.Nop, Ipv4Option.EndOfList];
        var input = TcpFrame(LbMac, ClientMac, Client, Vip, 43000, Port, ipOptions: options, payload: [1, 2, 3]);

        var r = Run(input);

        Assert.Equal(XdpAction.Tx, r.XdpAction);
        var after = ParsedTcpFrame.Parse(r.Packet);
        Assert.Equal(24, after.Ihl);
        Assert.Equal(new byte[] { 0x01, 0x01, 0x01, 0x00 }, after.IpOptions);
        Assert.Equal(Snat, after.Src);
        Assert.Equal(ExpectedBackend(Client, 43000).Address, after.Dst);
        Assert.Equal(new byte[] { 1, 2, 3 }, after.Payload);
        Assert.True(after.IpChecksumValid);
        Assert.True(after.TcpChecksumValid);
    }

    [Fact]
    public void WithoutBackendsVipTrafficIsDroppedAndCounted()
    {
        balancer.Remove(Be1);
        balancer.Remove(Be2);
        Assert.All(balancer.Table, e => Assert.Equal(0u, e));
        var before = plane.Stat(XdpProxySkel.Stat.StatNoBackend);

        var r = Run(TcpFrame(LbMac, ClientMac, Client, Vip, 44000, Port));

        Assert.Equal(XdpAction.Drop, r.XdpAction);
        Assert.Equal(before + 1, plane.Stat(XdpProxySkel.Stat.StatNoBackend));
    }

    [Fact]
    public void PerBackendCountersCountPacketsAndBytesBothWays()
    {
        var out1 = TcpFrame(LbMac, ClientMac, Client, Vip, 45000, Port, payload: new byte[100]);
        var to = ParsedTcpFrame.Parse(Run(out1).Packet);
        Run(TcpFrame(LbMac, ClientMac, Client, Vip, 45000, Port, Ack, payload: new byte[10]));
        var back = TcpFrame(LbMac, BackendMacs[to.Dst], to.Dst, Snat, to.DstPort, to.SrcPort, Ack, payload: new byte[50]);
        Run(back);

        var slot = balancer.SlotOf(new IPEndPoint(to.Dst, to.DstPort));
        var c = plane.Counters(slot);
        Assert.Equal(2UL, c.PacketsToBackend);
        Assert.Equal((ulong)(out1.Length + out1.Length - 90), c.BytesToBackend);
        Assert.Equal(1UL, c.PacketsToClient);
        Assert.Equal((ulong)back.Length, c.BytesToClient);
        var other = plane.Counters(slot == 0 ? 1 : 0);
        Assert.Equal(0UL, other.PacketsToBackend + other.PacketsToClient);
    }

    public static TheoryData<string> NotOurs =>
    [
        "arp", "ipv6 tcp to port 80", "udp to vip:80", "icmp to vip", "tcp to vip, other port", "tcp to another address",
        "first fragment", "later fragment", "ethernet header only", "ip header cut short", "tcp header cut short",
        "ip total length beyond frame", "ip header length below 5", "reply to an unknown nat port", "not ipv4 version",
    ];

    [Theory]
    [MemberData(nameof(NotOurs))]
    public void EverythingElsePassesUntouched(string what)
    {
        var syn = TcpFrame(LbMac, ClientMac, Client, Vip, 46000, Port);
        byte[] frame = what switch
        {
            "arp" => Arp(ClientMac, Client, Vip),
            "ipv6 tcp to port 80" => Ipv6Tcp(LbMac, ClientMac, 46000, Port),
            "udp to vip:80" => UdpFrame(LbMac, ClientMac, Client, Vip, 46000, Port, [1, 2, 3, 4]),
            "icmp to vip" => IcmpEcho(LbMac, ClientMac, Client, Vip),
            "tcp to vip, other port" => TcpFrame(LbMac, ClientMac, Client, Vip, 46000, 81),
            "tcp to another address" => TcpFrame(LbMac, ClientMac, Client, Be1.Address, 46000, Port),
            "first fragment" => TcpFrame(LbMac, ClientMac, Client, Vip, 46000, Port, fragment: 0x2000),
            "later fragment" => TcpFrame(LbMac, ClientMac, Client, Vip, 46000, Port, fragment: 0x0010),
            "ethernet header only" => syn[..14],
            "ip header cut short" => syn[..(14 + 12)],
            "tcp header cut short" => syn[..(14 + 20 + 12)],
            "ip total length beyond frame" => WithTotalLength(syn, 200),
            "ip header length below 5" => WithByte(syn, 14, 0x44),
            "reply to an unknown nat port" => TcpFrame(LbMac, BackendMacs[Be1.Address], Be1.Address, Snat, Be1.Port, 10001, Ack),
            "not ipv4 version" => WithByte(syn, 14, 0x65),
            _ => throw new ArgumentException(what),
        };
        var passedBefore = plane.Stat(XdpProxySkel.Stat.StatPassed);

        var r = Run(frame);

        Assert.Equal(XdpAction.Pass, r.XdpAction);
        Assert.Equal(frame, r.Packet);
        Assert.Equal(passedBefore + 1, plane.Stat(XdpProxySkel.Stat.StatPassed));
    }

    [Fact]
    public void TheCSharpFlowHashPredictsTheProgramsBackendForEveryFlow()
    {
        // With two backends a hash that differs from the program's picks the other one for about half the flows: 64
        // flows leave such a mirror a 2^-64 chance.
        var wrong = Enumerable.Range(41000, 64).Where(sport =>
        {
            var r = Run(TcpFrame(LbMac, ClientMac, Client, Vip, sport, Port, Syn));
            return r.XdpAction != XdpAction.Tx || !ParsedTcpFrame.Parse(r.Packet).Dst.Equals(ExpectedBackend(Client, sport).Address);
        }).ToList();
        Assert.True(wrong.Count == 0, $"the program sent the flows from ports {string.Join(", ", wrong)} elsewhere than XdpProxyFlowHash predicts");
    }

    /// <summary>Where the control plane's table sends a client's first packet: the kernel's hash, reproduced.</summary>
    private IPEndPoint ExpectedBackend(IPAddress client, int sport)
    {
        var hash = XdpProxyFlowHash.Compute(Wire.Ip(client), Wire.Ip(Vip), Wire.Port(sport), Wire.Port(Port));
        var slot = (int)balancer.Table[(int)(hash % Maglev.Size)] - 1;
        return new[] { Be1, Be2 }.Single(b => balancer.SlotOf(b) == slot);
    }

    private static byte[] WithTotalLength(byte[] frame, ushort length)
    {
        var copy = (byte[])frame.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(16), length);
        return copy;
    }

    private static byte[] WithByte(byte[] frame, int offset, byte value)
    {
        var copy = (byte[])frame.Clone();
        copy[offset] = value;
        return copy;
    }
}
