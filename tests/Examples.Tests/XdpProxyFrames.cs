using System.Buffers.Binary;
using System.Net;

namespace Ebpf.Examples.Tests;

/// <summary>
/// Builds Ethernet frames for the xdp-proxy program tests and reads them back, with checksums computed
/// here independently of the program (RFC 1071 sums over the real bytes, not incremental updates).
/// </summary>
internal static class XdpProxyFrames
{
    public const ushort EthIpv4 = 0x0800, EthIpv6 = 0x86dd, EthArp = 0x0806;
    public const byte Tcp = 6, Udp = 17, Icmp = 1;
    public const byte Syn = 0x02, Ack = 0x10, Psh = 0x08;

    public static byte[] Mac(int last) => [0x02, 0x00, 0x0a, 0xd3, 0x00, (byte)last];

    /// <summary>An IPv4 TCP frame with valid checksums; <paramref name="ipOptions"/> (multiple of 4 bytes) grow the IP header.</summary>
    public static byte[] TcpFrame(byte[] dstMac, byte[] srcMac, IPAddress src, IPAddress dst, int sport, int dport,
        byte flags = Syn, uint seq = 1000, uint ack = 0, byte[]? payload = null, byte[]? ipOptions = null, ushort fragment = 0)
    {
        payload ??= [];
        var tcp = new byte[20 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(0), (ushort)sport);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(2), (ushort)dport);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(4), seq);
        BinaryPrimitives.WriteUInt32BigEndian(tcp.AsSpan(8), ack);
        tcp[12] = 5 << 4;
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(14), 64240);
        payload.CopyTo(tcp, 20);
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(16), TransportChecksum(src, dst, Tcp, tcp));
        return Ipv4Frame(dstMac, srcMac, src, dst, Tcp, tcp, ipOptions, fragment);
    }

    public static byte[] UdpFrame(byte[] dstMac, byte[] srcMac, IPAddress src, IPAddress dst, int sport, int dport, byte[] payload)
    {
        var udp = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(0), (ushort)sport);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), (ushort)dport);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        payload.CopyTo(udp, 8);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(6), TransportChecksum(src, dst, Udp, udp));
        return Ipv4Frame(dstMac, srcMac, src, dst, Udp, udp, null, 0);
    }

    public static byte[] IcmpEcho(byte[] dstMac, byte[] srcMac, IPAddress src, IPAddress dst)
    {
        var icmp = new byte[16];
        icmp[0] = 8; // echo request
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(4), 0x1234);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(2), Checksum(icmp));
        return Ipv4Frame(dstMac, srcMac, src, dst, Icmp, icmp, null, 0);
    }

    public static byte[] Ipv4Frame(byte[] dstMac, byte[] srcMac, IPAddress src, IPAddress dst, byte protocol, byte[] l4, byte[]? options, ushort fragment)
    {
        options ??= [];
        var ihl = 20 + options.Length;
        var frame = new byte[14 + ihl + l4.Length];
        Ethernet(frame, dstMac, srcMac, EthIpv4);
        var ip = frame.AsSpan(14);
        ip[0] = (byte)(0x40 | (ihl / 4));
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(ihl + l4.Length));
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], 0x4d2);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], fragment);
        ip[8] = 64;
        ip[9] = protocol;
        src.GetAddressBytes().CopyTo(ip[12..]);
        dst.GetAddressBytes().CopyTo(ip[16..]);
        options.CopyTo(ip[20..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip[..ihl]));
        l4.CopyTo(ip[ihl..]);
        return frame;
    }

    public static byte[] Arp(byte[] srcMac, IPAddress sender, IPAddress target)
    {
        var frame = new byte[42];
        Ethernet(frame, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff], srcMac, EthArp);
        var arp = frame.AsSpan(14);
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], EthIpv4);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], 1); // request
        srcMac.CopyTo(arp[8..]);
        sender.GetAddressBytes().CopyTo(arp[14..]);
        target.GetAddressBytes().CopyTo(arp[24..]);
        return frame;
    }

    /// <summary>An IPv6 TCP SYN to port <paramref name="dport"/> (the program handles IPv4 only).</summary>
    public static byte[] Ipv6Tcp(byte[] dstMac, byte[] srcMac, int sport, int dport)
    {
        var frame = new byte[14 + 40 + 20];
        Ethernet(frame, dstMac, srcMac, EthIpv6);
        var ip = frame.AsSpan(14);
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], 20);
        ip[6] = Tcp;
        ip[7] = 64;
        IPAddress.Parse("fd00::10").GetAddressBytes().CopyTo(ip[8..]);
        IPAddress.Parse("fd00::100").GetAddressBytes().CopyTo(ip[24..]);
        var tcp = ip[40..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, (ushort)sport);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], (ushort)dport);
        tcp[12] = 5 << 4;
        tcp[13] = Syn;
        return frame;
    }

    private static void Ethernet(byte[] frame, byte[] dst, byte[] src, ushort type)
    {
        dst.CopyTo(frame, 0);
        src.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), type);
    }

    /// <summary>The Internet checksum (RFC 1071) of <paramref name="data"/>: 0 when verifying a header that includes its checksum.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data, uint initial = 0)
    {
        var sum = initial;
        for (var i = 0; i + 1 < data.Length; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (data.Length % 2 == 1)
            sum += (uint)data[^1] << 8;
        while (sum >> 16 != 0)
            sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }

    /// <summary>TCP/UDP checksum over the IPv4 pseudo-header and <paramref name="segment"/>.</summary>
    public static ushort TransportChecksum(IPAddress src, IPAddress dst, byte protocol, ReadOnlySpan<byte> segment)
    {
        var pseudo = new byte[12];
        src.GetAddressBytes().CopyTo(pseudo, 0);
        dst.GetAddressBytes().CopyTo(pseudo, 4);
        pseudo[9] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(pseudo.AsSpan(10), (ushort)segment.Length);
        uint sum = 0;
        for (var i = 0; i < 12; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(pseudo.AsSpan(i));
        return Checksum(segment, sum);
    }
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
            XdpProxyFrames.Checksum(ip[..ihl]) == 0,
            XdpProxyFrames.TransportChecksum(src, dst, XdpProxyFrames.Tcp, tcp) == 0);
    }
}
