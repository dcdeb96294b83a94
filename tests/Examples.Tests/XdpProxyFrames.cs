using System.Buffers.Binary;
using System.Net;

namespace Ebpf.Examples.Tests;

/// <summary>
/// The xdp-proxy program tests' frames, in their terms (MACs as bytes, addresses as IPAddress), built by the test kit's
/// <see cref="PacketBuilder"/>: checksums are computed there over the real bytes, independently of the program.
/// </summary>
internal static class XdpProxyFrames
{
    public const ushort EthIpv4 = EtherType.Ipv4;
    public const byte Tcp = IpProtocol.Tcp;
    public const TcpFlags Syn = TcpFlags.Syn, Ack = TcpFlags.Ack, Psh = TcpFlags.Psh;

    public static byte[] Mac(int last) => [0x02, 0x00, 0x0a, 0xd3, 0x00, (byte)last];

    /// <summary>
    /// An IPv4 TCP frame with valid checksums; <paramref name="ipOptions"/> grow the IP header, <paramref name="fragment"/>
    /// is the IPv4 flags-and-offset field as on the wire (0x2000 more fragments, low 13 bits the offset in 8-byte units).
    /// </summary>
    public static byte[] TcpFrame(byte[] dstMac, byte[] srcMac, IPAddress src, IPAddress dst, int sport, int dport,
        TcpFlags flags = Syn, uint seq = 1000, uint ack = 0, byte[]? payload = null, Ipv4Option[]? ipOptions = null, ushort fragment = 0) =>
        Ipv4(dstMac, srcMac, src, dst, ipOptions, fragment).Tcp(sport, dport, flags, seq, ack).Payload(payload ?? []).Build();

    public static byte[] UdpFrame(byte[] dstMac, byte[] srcMac, IPAddress src, IPAddress dst, int sport, int dport, byte[] payload) =>
        Ipv4(dstMac, srcMac, src, dst, null, 0).Udp(sport, dport).Payload(payload).Build();

    public static byte[] IcmpEcho(byte[] dstMac, byte[] srcMac, IPAddress src, IPAddress dst) =>
        Ipv4(dstMac, srcMac, src, dst, null, 0).IcmpEcho(0x1234, 0).Payload(new byte[8]).Build();

    /// <summary>An ARP request from <paramref name="sender"/> for <paramref name="target"/>, broadcast.</summary>
    public static byte[] Arp(byte[] srcMac, IPAddress sender, IPAddress target) =>
        PacketBuilder.Ethernet(MacText(srcMac), "ff:ff:ff:ff:ff:ff")
            .Arp(1, MacText(srcMac), sender.ToString(), "00:00:00:00:00:00", target.ToString()).Build();

    /// <summary>An IPv6 TCP SYN to port <paramref name="dport"/> (the program handles IPv4 only).</summary>
    public static byte[] Ipv6Tcp(byte[] dstMac, byte[] srcMac, int sport, int dport) =>
        PacketBuilder.Ethernet(MacText(srcMac), MacText(dstMac)).Ipv6("fd00::10", "fd00::100").Tcp(sport, dport, Syn).Build();

    private static PacketBuilder Ipv4(byte[] dstMac, byte[] srcMac, IPAddress src, IPAddress dst, Ipv4Option[]? options, ushort fragment) =>
        PacketBuilder.Ethernet(MacText(srcMac), MacText(dstMac))
            .Ipv4(src.ToString(), dst.ToString(), id: 0x4d2, dontFragment: (fragment & 0x4000) != 0, moreFragments: (fragment & 0x2000) != 0,
                  fragmentOffset: (fragment & 0x1fff) * 8, options: options ?? []);

    private static string MacText(byte[] mac) => string.Join(':', mac.Select(b => b.ToString("x2")));
}

/// <summary>An IPv4 TCP frame taken apart, field by field.</summary>
internal sealed record ParsedTcpFrame(
    byte[] DstMac, byte[] SrcMac, int Ihl, int TotalLength, ushort Id, ushort Fragment, byte Ttl, byte Protocol,
    IPAddress Src, IPAddress Dst, int SrcPort, int DstPort, uint Seq, uint Ack, byte Flags, ushort Window,
    byte[] IpOptions, byte[] Payload, bool IpChecksumValid, bool TcpChecksumValid)
{
    public static ParsedTcpFrame Parse(byte[] frame)
    {
        Assert.True(frame.Length >= 54, $"frame of {frame.Length} bytes is too short for Ethernet + IPv4 + TCP");
        Assert.Equal(XdpProxyFrames.EthIpv4, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)));
        var ip = frame.AsSpan(14);
        var ihl = (ip[0] & 0xf) * 4;
        var total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        var src = new IPAddress(ip[12..16]);
        var dst = new IPAddress(ip[16..20]);
        var tcp = ip[ihl..total];
        return new ParsedTcpFrame(
            frame[..6], frame[6..12], ihl, total,
            BinaryPrimitives.ReadUInt16BigEndian(ip[4..]), BinaryPrimitives.ReadUInt16BigEndian(ip[6..]), ip[8], ip[9],
            src, dst,
            BinaryPrimitives.ReadUInt16BigEndian(tcp), BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]), BinaryPrimitives.ReadUInt32BigEndian(tcp[8..]), tcp[13],
            BinaryPrimitives.ReadUInt16BigEndian(tcp[14..]),
            ip[20..ihl].ToArray(), tcp[((tcp[12] >> 4) * 4)..].ToArray(),
            InternetChecksum.Compute(ip[..ihl]) == 0,
            InternetChecksum.Transport(src, dst, IpProtocol.Tcp, tcp) == 0);
    }
}
