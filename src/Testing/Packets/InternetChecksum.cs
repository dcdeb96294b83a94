using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Ebpf.Testing;

/// <summary>
/// The Internet checksum (RFC 1071) the IPv4 header, TCP, UDP, ICMP and ICMPv6 use: the one's complement of the one's
/// complement sum of 16-bit words. Computed over the real bytes, never updated incrementally, so it is an independent
/// check of a program that rewrites headers and patches checksums.
/// </summary>
public static class InternetChecksum
{
    /// <summary>
    /// The checksum of <paramref name="data"/> with <paramref name="initial"/> (a pseudo-header's partial sum) added.
    /// Verifying data that includes its own checksum gives 0.
    /// </summary>
    public static ushort Compute(ReadOnlySpan<byte> data, uint initial = 0) => Fold(Sum(data, initial));

    /// <summary>
    /// The TCP, UDP or ICMPv6 checksum of <paramref name="segment"/> (header and data, its checksum field as it is)
    /// with the pseudo-header of <paramref name="source"/>, <paramref name="destination"/> and <paramref name="protocol"/>
    /// (RFC 793 for IPv4, RFC 8200 section 8.1 for IPv6). Verifying a segment that includes its checksum gives 0.
    /// </summary>
    public static ushort Transport(IPAddress source, IPAddress destination, byte protocol, ReadOnlySpan<byte> segment)
    {
        if (source.AddressFamily != destination.AddressFamily)
            throw new ArgumentException($"source {source} and destination {destination} are not of the same address family");
        uint sum = Sum(source.GetAddressBytes(), 0);
        sum = Sum(destination.GetAddressBytes(), sum);
        if (source.AddressFamily == AddressFamily.InterNetwork)
            sum += protocol + (uint)segment.Length;      // zero, protocol, 16-bit length
        else
            sum += (uint)(segment.Length >> 16) + (uint)(segment.Length & 0xffff) + protocol; // 32-bit length, 24 zero bits, next header
        return Compute(segment, sum);
    }

    private static uint Sum(ReadOnlySpan<byte> data, uint sum)
    {
        ulong total = sum;
        var i = 0;
        for (; i + 1 < data.Length; i += 2)
            total += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (i < data.Length)
            total += (uint)data[i] << 8;
        while (total >> 16 != 0)
            total = (total & 0xffff) + (total >> 16);
        return (uint)total;
    }

    private static ushort Fold(uint sum)
    {
        while (sum >> 16 != 0)
            sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}
