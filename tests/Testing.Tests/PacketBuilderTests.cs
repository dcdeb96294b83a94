namespace Ebpf.Testing.Tests;

/// <summary>
/// Frames from the builders, checked by a parser that is not ours: tcpdump reads them from a pcap file and checks every
/// checksum itself (the same frames with one corrupted checksum show that it does).
/// </summary>
public sealed class PacketBuilderTests
{
    public static TheoryData<string, string, string> Frames() => new()
    {
        // name, what tcpdump must print, the tcpdump phrase that confirms the transport checksum ("" when tcpdump only reports bad ones)
        { "tcp-options", "10.0.0.1.40000 > 10.0.0.2.80: Flags [S]", "(correct)" },
        { "udp", "10.0.0.1.5353 > 10.0.0.2.53:", "[udp sum ok]" },
        { "icmp", "10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 3", "" },
        { "vlan-tcp", "vlan 100, p 5", "(correct)" },
        { "ipv6-tcp", "fd00::1.40000 > fd00::2.443: Flags [S.]", "(correct)" },
        { "ipv6-udp", "fd00::1.5353 > fd00::2.53:", "[udp sum ok]" },
        { "icmpv6", "ICMP6, echo request, id 9, seq 1", "[icmp6 sum ok]" },
        { "ipip-udp", "10.1.0.1.1000 > 10.1.0.2.2000:", "[udp sum ok]" },
    };

    internal static byte[] Build(string name, ushort? badChecksum = null)
    {
        var b = name switch
        {
            "tcp-options" => PacketBuilder.Ethernet().Ipv4("10.0.0.1", "10.0.0.2", options: [Ipv4Option.RouterAlert(), Ipv4Option.Nop])
                .Tcp(40000, 80, TcpFlags.Syn, seq: 12345, options: [TcpOption.Mss(1460), TcpOption.SackPermitted, TcpOption.Timestamps(1, 0), TcpOption.Nop, TcpOption.WindowScale(7)]),
            "udp" => PacketBuilder.Ethernet().Ipv4("10.0.0.1", "10.0.0.2").Udp(5353, 53),
            "icmp" => PacketBuilder.Ethernet().Ipv4("10.0.0.1", "10.0.0.2").IcmpEcho(7, 3),
            "vlan-tcp" => PacketBuilder.Ethernet().Vlan(100, priority: 5).Ipv4("10.0.0.1", "10.0.0.2").Tcp(40000, 80, TcpFlags.Ack | TcpFlags.Psh, ack: 1),
            "ipv6-tcp" => PacketBuilder.Ethernet().Ipv6("fd00::1", "fd00::2").Tcp(40000, 443, TcpFlags.Syn | TcpFlags.Ack, options: [TcpOption.Mss(1440)]),
            "ipv6-udp" => PacketBuilder.Ethernet().Ipv6("fd00::1", "fd00::2").Udp(5353, 53),
            "icmpv6" => PacketBuilder.Ethernet().Ipv6("fd00::1", "fd00::2").Icmpv6Echo(9, 1),
            "ipip-udp" => PacketBuilder.Ethernet().Ipv4("192.0.2.1", "192.0.2.2").Ipv4("10.1.0.1", "10.1.0.2").Udp(1000, 2000),
            _ => throw new ArgumentException(name),
        };
        if (badChecksum is { } bad)
            b.WithChecksum(bad);
        return b.Payload("hello, kernel").Build();
    }

    [BpfTheory(Tools = ["tcpdump"])]
    [MemberData(nameof(Frames))]
    public void Tcpdump_reads_the_frame_and_finds_every_checksum_right(string name, string expected, string checksumOk)
    {
        var good = Tcpdump(Build(name));
        Assert.Contains(expected, good);
        Assert.DoesNotContain("bad cksum", good);
        Assert.DoesNotContain("wrong", good);
        Assert.DoesNotContain("incorrect", good);
        Assert.DoesNotContain("bad udp cksum", good);
        if (checksumOk.Length > 0)
            Assert.Contains(checksumOk, good);

        // The same frame with the transport checksum off by one: tcpdump must notice, or the check above proves nothing.
        var original = Frame.Parse(Build(name));
        var field = original.Fields.Last(f => f.Key.EndsWith(".checksum", StringComparison.Ordinal));
        var value = Convert.ToUInt16(field.Value[2..6], 16);
        var bad = Tcpdump(Build(name, (ushort)(value ^ 1)));
        Assert.Matches("bad cksum|wrong icmp cksum|incorrect|bad udp cksum|bad icmp6 cksum", bad);
    }

    [Fact]
    public void The_parser_reads_back_what_was_built()
    {
        var frame = Frame.Parse(Build("vlan-tcp"));
        Assert.Equal("02:00:00:00:00:02", frame["eth.dst"]);
        Assert.Equal("100", frame["vlan.id"]);
        Assert.Equal("5", frame["vlan.pcp"]);
        Assert.Equal("IPv4", frame["eth.type"]);
        Assert.Equal("10.0.0.2", frame["ipv4.dst"]);
        Assert.Equal("PSH|ACK", frame["tcp.flags"]);
        Assert.Equal(Convert.ToHexString("hello, kernel"u8).ToLowerInvariant(), frame["payload"]);
        Assert.Empty(frame.ChecksumErrors);

        var options = Frame.Parse(Build("tcp-options"));
        Assert.Equal("28 bytes", options["ipv4.ihl"]);
        Assert.Equal("9404000001000000", options["ipv4.options"]);
        Assert.Equal("MSS=1460 SACK_PERM TS=1,0 NOP WS=7", options["tcp.options"]);
        Assert.Equal("40 bytes", options["tcp.data_offset"]);
    }

    [Fact]
    public void A_wrong_checksum_is_reported_with_the_right_one()
    {
        var frame = Frame.Parse(PacketBuilder.Ethernet().Ipv4("10.0.0.1", "10.0.0.2").Tcp(1, 2).WithChecksum(0xdead).Build());
        var error = Assert.Single(frame.ChecksumErrors);
        Assert.StartsWith("tcp.checksum is 0xdead, the bytes need 0x", error);
    }

    [Fact]
    public void Misplaced_layers_are_refused_with_what_to_do()
    {
        Assert.Contains("must follow an IP header", Assert.Throws<InvalidOperationException>(() => PacketBuilder.Ethernet().Tcp(1, 2)).Message);
        Assert.Contains("ICMPv6 goes over IPv6", Assert.Throws<InvalidOperationException>(() => PacketBuilder.Ethernet().Ipv4("10.0.0.1", "10.0.0.2").Icmpv6(128)).Message);
        Assert.Contains("room for 40", Assert.Throws<ArgumentException>(() =>
            PacketBuilder.Ethernet().Ipv4("10.0.0.1", "10.0.0.2").Tcp(1, 2, options: Enumerable.Repeat(TcpOption.Timestamps(1, 1), 5).ToArray())).Message);
        Assert.Contains("not an IPv4 address", Assert.Throws<ArgumentException>(() => PacketBuilder.Ethernet().Ipv4("fd00::1", "10.0.0.2")).Message);
    }

    private static string Tcpdump(byte[] frame)
    {
        var pcap = Path.Combine(Path.GetTempPath(), $"ebpf-testing-{Guid.NewGuid():n}.pcap");
        try
        {
            PcapFile.Write(pcap, [frame]);
            return HostCommand.Check("tcpdump", "-r", pcap, "-nn", "-vv", "-e");
        }
        finally
        {
            File.Delete(pcap);
        }
    }
}
