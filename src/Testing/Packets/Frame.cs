using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace Ebpf.Testing;

/// <summary>
/// A frame taken apart into named fields, in wire order: <c>eth.dst</c>, <c>vlan.id</c>, <c>ipv4.ttl</c>,
/// <c>tcp.flags</c>, <c>payload</c>, ... (see docs/testing.md for the list). Values are as a person reads them:
/// addresses as text, flags as names, checksums as hex. Every checksum is checked against one computed here over
/// the real bytes (<see cref="ChecksumErrors"/>). Parses Ethernet, 802.1Q/802.1ad tags, ARP, IPv4 (with options),
/// IPv6 (with its extension headers skipped by length), IP in IP, TCP (with options), UDP, ICMP and ICMPv6;
/// whatever follows the last known header is the payload. A truncated header ends the parse with a
/// <c>truncated</c> field naming it.
/// </summary>
public sealed class Frame
{
    private readonly List<KeyValuePair<string, string>> fields = new();
    private readonly List<string> checksumErrors = new();

    private Frame(byte[] bytes) => Bytes = bytes;

    /// <summary>The frame's bytes.</summary>
    public byte[] Bytes { get; }

    /// <summary>The fields in wire order (a repeated header, such as a second VLAN tag or an inner IP header, is named vlan2, ipv4_2, ...).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Fields => fields;

    /// <summary>One line per checksum that does not match the bytes, e.g. "tcp.checksum is 0x1234, the bytes need 0xabcd".</summary>
    public IReadOnlyList<string> ChecksumErrors => checksumErrors;

    /// <summary>A field's value, e.g. frame["ipv4.dst"] is "10.0.0.2".</summary>
    public string this[string field] => TryGet(field, out var value) ? value
        : throw new KeyNotFoundException($"the frame has no field {field}; it has {string.Join(", ", fields.Select(f => f.Key))}");

    /// <summary>Whether the frame has <paramref name="field"/>, and its value.</summary>
    public bool TryGet(string field, out string value)
    {
        foreach (var f in fields)
            if (f.Key == field)
            {
                value = f.Value;
                return true;
            }
        value = "";
        return false;
    }

    /// <summary>Takes <paramref name="bytes"/> apart (they are not copied).</summary>
    public static Frame Parse(byte[] bytes)
    {
        var frame = new Frame(bytes);
        new Parser(frame).Run();
        return frame;
    }

    /// <summary>The fields that differ from <paramref name="before"/> (this is the after).</summary>
    public FrameDiff DiffFrom(Frame before) => FrameDiff.Between(before, this);

    /// <summary>One "field: value" per line.</summary>
    public override string ToString() => string.Join("\n", fields.Select(f => $"{f.Key}: {f.Value}"));

    private sealed class Parser(Frame frame)
    {
        private readonly Dictionary<string, int> seen = new();
        private byte[] Bytes => frame.Bytes;

        public void Run()
        {
            var data = Bytes.AsSpan();
            Add("frame", "length", $"{data.Length} bytes");
            if (!Need("eth", 0, 14))
                return;
            var eth = Prefix("eth");
            Add(eth, "dst", Mac(data[..6]));
            Add(eth, "src", Mac(data[6..12]));
            var type = BinaryPrimitives.ReadUInt16BigEndian(data[12..]);
            var offset = 14;
            while (type is EtherType.Vlan or EtherType.QinQ)
            {
                if (!Need("vlan", offset, 4))
                    return;
                var vlan = Prefix("vlan");
                Add(vlan, "tpid", $"0x{type:x4}");
                var tci = BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
                Add(vlan, "pcp", (tci >> 13).ToString(CultureInfo.InvariantCulture));
                Add(vlan, "dei", ((tci >> 12) & 1).ToString(CultureInfo.InvariantCulture));
                Add(vlan, "id", (tci & 0xfff).ToString(CultureInfo.InvariantCulture));
                type = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
                offset += 4;
            }
            Add(eth, "type", EtherTypeName(type));
            switch (type)
            {
                case EtherType.Ipv4: Ipv4(offset, Bytes.Length); break;
                case EtherType.Ipv6: Ipv6(offset, Bytes.Length); break;
                case EtherType.Arp: Arp(offset); break;
                default: Payload(offset, Bytes.Length); break;
            }
        }

        private void Ipv4(int offset, int end)
        {
            if (!Need("ipv4", offset, 20))
                return;
            var ip = Bytes.AsSpan(offset);
            var p = Prefix("ipv4");
            var ihl = (ip[0] & 0xf) * 4;
            var total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
            var flags = BinaryPrimitives.ReadUInt16BigEndian(ip[6..]);
            Add(p, "version", (ip[0] >> 4).ToString(CultureInfo.InvariantCulture));
            Add(p, "ihl", $"{ihl} bytes");
            Add(p, "tos", $"0x{ip[1]:x2}");
            Add(p, "total_length", total.ToString(CultureInfo.InvariantCulture));
            Add(p, "id", $"0x{BinaryPrimitives.ReadUInt16BigEndian(ip[4..]):x4}");
            Add(p, "flags", Flags(flags >> 13, ["MF", "DF", "RESERVED"]));
            Add(p, "fragment_offset", ((flags & 0x1fff) * 8).ToString(CultureInfo.InvariantCulture));
            Add(p, "ttl", ip[8].ToString(CultureInfo.InvariantCulture));
            Add(p, "protocol", ProtocolName(ip[9]));
            var checksum = BinaryPrimitives.ReadUInt16BigEndian(ip[10..]);
            Add(p, "checksum", $"0x{checksum:x4}");
            var src = new IPAddress(ip[12..16]);
            var dst = new IPAddress(ip[16..20]);
            Add(p, "src", src.ToString());
            Add(p, "dst", dst.ToString());
            if (ihl < 20 || !Need(p, offset, ihl))
                return;
            if (ihl > 20)
                Add(p, "options", Hex(ip[20..ihl]));
            CheckSum(p, checksum, ip[..ihl], 10, null);
            // The IP total length bounds the packet (Ethernet pads short frames to 60 bytes).
            var packetEnd = total >= ihl && offset + total <= end ? offset + total : end;
            if (offset + total > end)
                Add(p, "total_length_problem", $"says {total} bytes, the frame holds {end - offset}");
            var fragmentOffset = flags & 0x1fff;
            var moreFragments = (flags & 0x2000) != 0;
            if (fragmentOffset != 0)
            {
                Payload(offset + ihl, packetEnd); // a later fragment: no transport header here
                return;
            }
            Transport(ip[9], offset + ihl, packetEnd, src, dst, verifyChecksum: !moreFragments);
        }

        private void Ipv6(int offset, int end)
        {
            if (!Need("ipv6", offset, 40))
                return;
            var ip = Bytes.AsSpan(offset);
            var p = Prefix("ipv6");
            var word = BinaryPrimitives.ReadUInt32BigEndian(ip);
            var payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
            Add(p, "version", (word >> 28).ToString(CultureInfo.InvariantCulture));
            Add(p, "traffic_class", $"0x{(word >> 20) & 0xff:x2}");
            Add(p, "flow_label", $"0x{word & 0xfffff:x5}");
            Add(p, "payload_length", payloadLength.ToString(CultureInfo.InvariantCulture));
            Add(p, "next_header", ProtocolName(ip[6]));
            Add(p, "hop_limit", ip[7].ToString(CultureInfo.InvariantCulture));
            var src = new IPAddress(ip[8..24]);
            var dst = new IPAddress(ip[24..40]);
            Add(p, "src", src.ToString());
            Add(p, "dst", dst.ToString());
            var packetEnd = offset + 40 + payloadLength <= end ? offset + 40 + payloadLength : end;
            if (offset + 40 + payloadLength > end)
                Add(p, "payload_length_problem", $"says {payloadLength} bytes, the frame holds {end - offset - 40}");
            var next = ip[6];
            var at = offset + 40;
            var verify = true;
            // Extension headers: skipped by their length, named in order.
            var extensions = new List<string>();
            while (next is IpProtocol.HopByHop or IpProtocol.Routing or IpProtocol.DestinationOptions or IpProtocol.Fragment)
            {
                if (!Need(p + ".extension", at, 8))
                    return;
                var length = next == IpProtocol.Fragment ? 8 : (Bytes[at + 1] + 1) * 8;
                if (next == IpProtocol.Fragment)
                {
                    var fragment = BinaryPrimitives.ReadUInt16BigEndian(Bytes.AsSpan(at + 2));
                    if ((fragment & 0xfff8) != 0)
                    {
                        extensions.Add(ProtocolName(next));
                        Add(p, "extensions", string.Join(", ", extensions));
                        Payload(at + length, packetEnd);
                        return;
                    }
                    verify = (fragment & 1) == 0;
                }
                extensions.Add(ProtocolName(next));
                next = Bytes[at];
                at += length;
            }
            if (extensions.Count > 0)
                Add(p, "extensions", string.Join(", ", extensions));
            Transport(next, at, packetEnd, src, dst, verify);
        }

        private void Transport(byte protocol, int offset, int end, IPAddress src, IPAddress dst, bool verifyChecksum)
        {
            switch (protocol)
            {
                case IpProtocol.Tcp: Tcp(offset, end, src, dst, verifyChecksum); break;
                case IpProtocol.Udp: Udp(offset, end, src, dst, verifyChecksum); break;
                case IpProtocol.Icmp: Icmp("icmp", offset, end, null, verifyChecksum); break;
                case IpProtocol.Icmpv6: Icmp("icmp6", offset, end, (src, dst), verifyChecksum); break;
                case IpProtocol.Ipv4: Ipv4(offset, end); break;
                case IpProtocol.Ipv6: Ipv6(offset, end); break;
                default: Payload(offset, end); break;
            }
        }

        private void Tcp(int offset, int end, IPAddress src, IPAddress dst, bool verifyChecksum)
        {
            if (!Need("tcp", offset, 20, end))
                return;
            var tcp = Bytes.AsSpan(offset, end - offset);
            var p = Prefix("tcp");
            var dataOffset = (tcp[12] >> 4) * 4;
            Add(p, "sport", BinaryPrimitives.ReadUInt16BigEndian(tcp).ToString(CultureInfo.InvariantCulture));
            Add(p, "dport", BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]).ToString(CultureInfo.InvariantCulture));
            Add(p, "seq", BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]).ToString(CultureInfo.InvariantCulture));
            Add(p, "ack", BinaryPrimitives.ReadUInt32BigEndian(tcp[8..]).ToString(CultureInfo.InvariantCulture));
            Add(p, "data_offset", $"{dataOffset} bytes");
            Add(p, "flags", ((TcpFlags)tcp[13]).ToString().Replace(", ", "|").ToUpperInvariant());
            Add(p, "window", BinaryPrimitives.ReadUInt16BigEndian(tcp[14..]).ToString(CultureInfo.InvariantCulture));
            var checksum = BinaryPrimitives.ReadUInt16BigEndian(tcp[16..]);
            Add(p, "checksum", $"0x{checksum:x4}");
            Add(p, "urgent", BinaryPrimitives.ReadUInt16BigEndian(tcp[18..]).ToString(CultureInfo.InvariantCulture));
            if (dataOffset < 20 || !Need(p, offset, dataOffset, end))
                return;
            if (dataOffset > 20)
                Add(p, "options", TcpOptions(tcp[20..dataOffset]));
            if (verifyChecksum)
                CheckSum(p, checksum, tcp, 16, (src, dst, IpProtocol.Tcp));
            Payload(offset + dataOffset, end);
        }

        private void Udp(int offset, int end, IPAddress src, IPAddress dst, bool verifyChecksum)
        {
            if (!Need("udp", offset, 8, end))
                return;
            var udp = Bytes.AsSpan(offset, end - offset);
            var p = Prefix("udp");
            var length = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
            var checksum = BinaryPrimitives.ReadUInt16BigEndian(udp[6..]);
            Add(p, "sport", BinaryPrimitives.ReadUInt16BigEndian(udp).ToString(CultureInfo.InvariantCulture));
            Add(p, "dport", BinaryPrimitives.ReadUInt16BigEndian(udp[2..]).ToString(CultureInfo.InvariantCulture));
            Add(p, "length", length.ToString(CultureInfo.InvariantCulture));
            Add(p, "checksum", checksum == 0 ? "0x0000 (none)" : $"0x{checksum:x4}");
            if (length != udp.Length)
                Add(p, "length_problem", $"says {length} bytes, the IP packet holds {udp.Length}");
            // IPv4 UDP may go without a checksum (0); IPv6 UDP may not.
            if (verifyChecksum && length == udp.Length && (checksum != 0 || src.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6))
                CheckSum(p, checksum, udp, 6, (src, dst, IpProtocol.Udp));
            Payload(offset + 8, end);
        }

        private void Icmp(string name, int offset, int end, (IPAddress Src, IPAddress Dst)? pseudo, bool verifyChecksum)
        {
            if (!Need(name, offset, 8, end))
                return;
            var icmp = Bytes.AsSpan(offset, end - offset);
            var p = Prefix(name);
            var checksum = BinaryPrimitives.ReadUInt16BigEndian(icmp[2..]);
            Add(p, "type", IcmpTypeName(name, icmp[0]));
            Add(p, "code", icmp[1].ToString(CultureInfo.InvariantCulture));
            Add(p, "checksum", $"0x{checksum:x4}");
            var echo = name == "icmp" ? icmp[0] is 0 or 8 : icmp[0] is 128 or 129;
            if (echo)
            {
                Add(p, "id", BinaryPrimitives.ReadUInt16BigEndian(icmp[4..]).ToString(CultureInfo.InvariantCulture));
                Add(p, "seq", BinaryPrimitives.ReadUInt16BigEndian(icmp[6..]).ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                Add(p, "rest", $"0x{BinaryPrimitives.ReadUInt32BigEndian(icmp[4..]):x8}");
            }
            if (verifyChecksum)
                CheckSum(p, checksum, icmp, 2, pseudo is { } ps ? (ps.Src, ps.Dst, IpProtocol.Icmpv6) : null);
            Payload(offset + 8, end);
        }

        private void Arp(int offset)
        {
            if (!Need("arp", offset, 28))
                return;
            var arp = Bytes.AsSpan(offset);
            var p = Prefix("arp");
            var op = BinaryPrimitives.ReadUInt16BigEndian(arp[6..]);
            Add(p, "op", op switch { 1 => "request", 2 => "reply", _ => op.ToString(CultureInfo.InvariantCulture) });
            Add(p, "sender_mac", Mac(arp[8..14]));
            Add(p, "sender_ip", new IPAddress(arp[14..18]).ToString());
            Add(p, "target_mac", Mac(arp[18..24]));
            Add(p, "target_ip", new IPAddress(arp[24..28]).ToString());
            Payload(offset + 28, Bytes.Length);
        }

        private void Payload(int offset, int end)
        {
            if (end > offset)
                Add("", "payload", Hex(Bytes.AsSpan(offset, end - offset)));
            if (end < Bytes.Length && end >= offset)
                Add("", "trailer", $"{Bytes.Length - end} bytes after the packet");
        }

        private void CheckSum(string field, ushort found, ReadOnlySpan<byte> covered, int checksumAt, (IPAddress Src, IPAddress Dst, byte Protocol)? pseudo)
        {
            var copy = covered.ToArray();
            copy[checksumAt] = copy[checksumAt + 1] = 0;
            var expected = pseudo is { } ps ? InternetChecksum.Transport(ps.Src, ps.Dst, ps.Protocol, copy) : InternetChecksum.Compute(copy);
            if (pseudo is { Protocol: IpProtocol.Udp } && expected == 0)
                expected = 0xffff;
            if (found != expected)
                frame.checksumErrors.Add($"{field}.checksum is 0x{found:x4}, the bytes need 0x{expected:x4}");
        }

        private bool Need(string what, int offset, int length, int? end = null)
        {
            if (offset + length <= (end ?? Bytes.Length))
                return true;
            Add("", "truncated", $"{what} needs {length} bytes at offset {offset}, {Math.Max(0, (end ?? Bytes.Length) - offset)} left");
            return false;
        }

        /// <summary>"ipv4" the first time, "ipv4_2" for the inner header of IP in IP, and so on.</summary>
        private string Prefix(string header)
        {
            var n = seen[header] = seen.GetValueOrDefault(header) + 1;
            return n == 1 ? header : $"{header}_{n}";
        }

        private void Add(string prefix, string field, string value) =>
            frame.fields.Add(new(prefix.Length == 0 ? field : $"{prefix}.{field}", value));
    }

    private static string Mac(ReadOnlySpan<byte> b) => string.Join(':', b.ToArray().Select(x => x.ToString("x2", CultureInfo.InvariantCulture)));

    private static string Hex(ReadOnlySpan<byte> b) => Convert.ToHexString(b).ToLowerInvariant();

    private static string Flags(int bits, string[] names)
    {
        var set = Enumerable.Range(0, names.Length).Where(i => (bits & (1 << i)) != 0 && names[i].Length > 0).Select(i => names[i]).Reverse().ToArray();
        return set.Length == 0 ? "none" : string.Join('|', set);
    }

    private static string EtherTypeName(ushort type) => type switch
    {
        EtherType.Ipv4 => "IPv4",
        EtherType.Ipv6 => "IPv6",
        EtherType.Arp => "ARP",
        _ => $"0x{type:x4}",
    };

    private static string ProtocolName(byte protocol) => protocol switch
    {
        IpProtocol.Tcp => "TCP",
        IpProtocol.Udp => "UDP",
        IpProtocol.Icmp => "ICMP",
        IpProtocol.Icmpv6 => "ICMPv6",
        IpProtocol.Ipv4 => "IPv4",
        IpProtocol.Ipv6 => "IPv6",
        IpProtocol.HopByHop => "hop-by-hop",
        IpProtocol.Routing => "routing",
        IpProtocol.Fragment => "fragment",
        IpProtocol.DestinationOptions => "destination options",
        IpProtocol.NoNextHeader => "none",
        _ => protocol.ToString(CultureInfo.InvariantCulture),
    };

    private static string IcmpTypeName(string header, byte type) => (header, type) switch
    {
        ("icmp", 0) => "echo reply",
        ("icmp", 3) => "destination unreachable",
        ("icmp", 8) => "echo request",
        ("icmp", 11) => "time exceeded",
        ("icmp6", 1) => "destination unreachable",
        ("icmp6", 2) => "packet too big",
        ("icmp6", 3) => "time exceeded",
        ("icmp6", 128) => "echo request",
        ("icmp6", 129) => "echo reply",
        ("icmp6", 135) => "neighbor solicitation",
        ("icmp6", 136) => "neighbor advertisement",
        _ => type.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>TCP options by name: "NOP NOP TS=1,0 MSS=1460 WS=7 SACK_PERM EOL", unknown ones as kind:hex.</summary>
    private static string TcpOptions(ReadOnlySpan<byte> o)
    {
        var parts = new List<string>();
        var i = 0;
        while (i < o.Length)
        {
            var kind = o[i];
            if (kind == 0) { parts.Add("EOL"); break; }
            if (kind == 1) { parts.Add("NOP"); i++; continue; }
            if (i + 1 >= o.Length || o[i + 1] < 2 || i + o[i + 1] > o.Length)
            {
                parts.Add($"malformed:{Hex(o[i..])}");
                break;
            }
            var data = o.Slice(i + 2, o[i + 1] - 2);
            parts.Add((kind, data.Length) switch
            {
                (2, 2) => $"MSS={BinaryPrimitives.ReadUInt16BigEndian(data)}",
                (3, 1) => $"WS={data[0]}",
                (4, 0) => "SACK_PERM",
                (8, 8) => $"TS={BinaryPrimitives.ReadUInt32BigEndian(data)},{BinaryPrimitives.ReadUInt32BigEndian(data[4..])}",
                _ => $"{kind}:{Hex(data)}",
            });
            i += o[i + 1];
        }
        return string.Join(' ', parts);
    }
}
