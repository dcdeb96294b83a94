using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Ebpf.Testing;

/// <summary>
/// Builds a frame layer by layer, outermost first, the way it goes on the wire:
/// <code>
/// byte[] frame = PacketBuilder.Ethernet().Vlan(100).Ipv4("10.0.0.1", "10.0.0.2").Tcp(40000, 80, TcpFlags.Syn).Build();
/// </code>
/// <see cref="Build"/> fills in what follows from the layers: EtherTypes, IP protocols, lengths, the IPv4 header
/// checksum and the TCP, UDP, ICMP and ICMPv6 checksums (over the real bytes, with the pseudo-header of the IP layer
/// that carries them). <see cref="WithChecksum"/> sets a layer's checksum to a given (wrong) value instead.
/// </summary>
public sealed class PacketBuilder
{
    /// <summary>The source MAC <see cref="Ethernet"/> uses when none is given.</summary>
    public const string DefaultSourceMac = "02:00:00:00:00:01";

    /// <summary>The destination MAC <see cref="Ethernet"/> uses when none is given.</summary>
    public const string DefaultDestinationMac = "02:00:00:00:00:02";

    private readonly List<Layer> layers = new();

    private PacketBuilder() { }

    /// <summary>Starts a frame with an Ethernet II header; MACs as "02:00:00:00:00:01" (or with dashes, or bare hex).</summary>
    public static PacketBuilder Ethernet(string source = DefaultSourceMac, string destination = DefaultDestinationMac)
    {
        var b = new PacketBuilder();
        b.layers.Add(new EthernetLayer(MacBytes(ParseMac(source)), MacBytes(ParseMac(destination))));
        return b;
    }

    /// <summary>
    /// Adds an 802.1Q VLAN tag: <paramref name="id"/> (0-4095), priority code point <paramref name="priority"/> (0-7),
    /// drop eligible indicator. Call twice for QinQ with <paramref name="tagProtocol"/> <see cref="EtherType.QinQ"/> on the outer tag.
    /// </summary>
    public PacketBuilder Vlan(int id, int priority = 0, bool dropEligible = false, ushort tagProtocol = EtherType.Vlan)
    {
        if (id is < 0 or > 4095)
            throw new ArgumentOutOfRangeException(nameof(id), id, "a VLAN id is 12 bits (0-4095)");
        if (priority is < 0 or > 7)
            throw new ArgumentOutOfRangeException(nameof(priority), priority, "a VLAN priority is 3 bits (0-7)");
        ExpectAfter<EthernetLayer, VlanLayer>("Vlan");
        return Add(new VlanLayer((ushort)((priority << 13) | (dropEligible ? 0x1000 : 0) | id), tagProtocol));
    }

    /// <summary>
    /// Adds an IPv4 header (RFC 791) with the addresses as "10.0.0.1". The total length, the protocol (from the next
    /// layer, or <paramref name="protocol"/>) and the header checksum are filled in; <paramref name="options"/> (at most
    /// 40 bytes together) are padded with End-of-list to a multiple of 4 bytes.
    /// </summary>
    public PacketBuilder Ipv4(string source, string destination, byte ttl = 64, ushort id = 1, byte tos = 0,
                              bool dontFragment = false, bool moreFragments = false, int fragmentOffset = 0,
                              byte? protocol = null, params Ipv4Option[] options)
    {
        var src = ParseIp(source, AddressFamily.InterNetwork, nameof(source));
        var dst = ParseIp(destination, AddressFamily.InterNetwork, nameof(destination));
        if (fragmentOffset is < 0 or > 0x1fff * 8 || fragmentOffset % 8 != 0)
            throw new ArgumentOutOfRangeException(nameof(fragmentOffset), fragmentOffset, "the fragment offset is in bytes, a multiple of 8, at most 65528");
        var optionBytes = options.SelectMany(o => o.Bytes).ToArray();
        if (optionBytes.Length > 40)
            throw new ArgumentException($"the IPv4 options take {optionBytes.Length} bytes; the header has room for 40", nameof(options));
        ExpectNetworkLayerPosition("Ipv4");
        var flags = (ushort)((dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0) | fragmentOffset / 8);
        return Add(new Ipv4Layer(src, dst, ttl, id, tos, flags, protocol, Pad(optionBytes)));
    }

    /// <summary>
    /// Adds an IPv6 header (RFC 8200) with the addresses as "fd00::1". The payload length and the next header (from the
    /// next layer, or <paramref name="nextHeader"/>) are filled in.
    /// </summary>
    public PacketBuilder Ipv6(string source, string destination, byte hopLimit = 64, byte trafficClass = 0, int flowLabel = 0,
                              byte? nextHeader = null)
    {
        var src = ParseIp(source, AddressFamily.InterNetworkV6, nameof(source));
        var dst = ParseIp(destination, AddressFamily.InterNetworkV6, nameof(destination));
        if (flowLabel is < 0 or > 0xfffff)
            throw new ArgumentOutOfRangeException(nameof(flowLabel), flowLabel, "a flow label is 20 bits");
        ExpectNetworkLayerPosition("Ipv6");
        return Add(new Ipv6Layer(src, dst, hopLimit, trafficClass, flowLabel, nextHeader));
    }

    /// <summary>
    /// Adds a TCP header (RFC 9293). <paramref name="options"/> (at most 40 bytes together) are padded with End-of-list
    /// to a multiple of 4 bytes; the data offset and the checksum are filled in.
    /// </summary>
    public PacketBuilder Tcp(int sourcePort, int destinationPort, TcpFlags flags = TcpFlags.Syn, uint seq = 1000, uint ack = 0,
                             ushort window = 64240, ushort urgentPointer = 0, params TcpOption[] options)
    {
        var optionBytes = options.SelectMany(o => o.Bytes).ToArray();
        if (optionBytes.Length > 40)
            throw new ArgumentException($"the TCP options take {optionBytes.Length} bytes; the header has room for 40", nameof(options));
        ExpectTransportPosition("Tcp");
        return Add(new TcpLayer(Port(sourcePort, nameof(sourcePort)), Port(destinationPort, nameof(destinationPort)), flags, seq, ack,
                                window, urgentPointer, Pad(optionBytes)));
    }

    /// <summary>Adds a UDP header (RFC 768); the length and the checksum are filled in.</summary>
    public PacketBuilder Udp(int sourcePort, int destinationPort)
    {
        ExpectTransportPosition("Udp");
        return Add(new UdpLayer(Port(sourcePort, nameof(sourcePort)), Port(destinationPort, nameof(destinationPort))));
    }

    /// <summary>
    /// Adds an ICMP header (RFC 792) over IPv4: <paramref name="type"/>, <paramref name="code"/> and the 4 bytes after the
    /// checksum (<paramref name="restOfHeader"/>: identifier and sequence for echo, unused or MTU for errors); the
    /// checksum is filled in.
    /// </summary>
    public PacketBuilder Icmp(byte type, byte code = 0, uint restOfHeader = 0)
    {
        ExpectTransportPosition("Icmp");
        if (LastNetworkLayer() is not Ipv4Layer)
            throw new InvalidOperationException("ICMP goes over IPv4; over IPv6 use Icmpv6");
        return Add(new IcmpLayer(IpProtocol.Icmp, type, code, restOfHeader));
    }

    /// <summary>An ICMP echo request (type 8), or reply (type 0) with <paramref name="reply"/>, as ping sends it.</summary>
    public PacketBuilder IcmpEcho(ushort identifier, ushort sequence, bool reply = false) =>
        Icmp(reply ? (byte)0 : (byte)8, 0, (uint)identifier << 16 | sequence);

    /// <summary>
    /// Adds an ICMPv6 header (RFC 4443) over IPv6: type, code and the 4 bytes after the checksum; the checksum (with
    /// the IPv6 pseudo-header) is filled in.
    /// </summary>
    public PacketBuilder Icmpv6(byte type, byte code = 0, uint restOfHeader = 0)
    {
        ExpectTransportPosition("Icmpv6");
        if (LastNetworkLayer() is not Ipv6Layer)
            throw new InvalidOperationException("ICMPv6 goes over IPv6; over IPv4 use Icmp");
        return Add(new IcmpLayer(IpProtocol.Icmpv6, type, code, restOfHeader));
    }

    /// <summary>An ICMPv6 echo request (type 128), or reply (type 129) with <paramref name="reply"/>.</summary>
    public PacketBuilder Icmpv6Echo(ushort identifier, ushort sequence, bool reply = false) =>
        Icmpv6(reply ? (byte)129 : (byte)128, 0, (uint)identifier << 16 | sequence);

    /// <summary>
    /// Adds an ARP packet for IPv4 over Ethernet (RFC 826): <paramref name="operation"/> 1 request, 2 reply; a request's
    /// target MAC is usually zero.
    /// </summary>
    public PacketBuilder Arp(ushort operation, string senderMac, string senderIp, string targetMac, string targetIp)
    {
        ExpectNetworkLayerPosition("Arp");
        return Add(new ArpLayer(operation, MacBytes(ParseMac(senderMac)), ParseIp(senderIp, AddressFamily.InterNetwork, nameof(senderIp)),
                                MacBytes(ParseMac(targetMac)), ParseIp(targetIp, AddressFamily.InterNetwork, nameof(targetIp))));
    }

    /// <summary>Appends <paramref name="data"/> after the last header (several calls append in order).</summary>
    public PacketBuilder Payload(ReadOnlySpan<byte> data)
    {
        if (layers[^1] is PayloadLayer p)
            p.Data = [.. p.Data, .. data];
        else
            layers.Add(new PayloadLayer(data.ToArray()));
        return this;
    }

    /// <summary>Appends the ASCII bytes of <paramref name="text"/>.</summary>
    public PacketBuilder Payload(string text) => Payload(System.Text.Encoding.ASCII.GetBytes(text));

    /// <summary>
    /// Writes <paramref name="checksum"/> into the last layer's checksum field instead of the computed one (IPv4, TCP,
    /// UDP, ICMP, ICMPv6): for testing how a program treats a corrupt packet.
    /// </summary>
    public PacketBuilder WithChecksum(ushort checksum)
    {
        if (layers[^1] is not ChecksummedLayer layer)
            throw new InvalidOperationException($"the last layer ({layers[^1].Name}) has no checksum; call WithChecksum right after Ipv4, Tcp, Udp, Icmp or Icmpv6");
        layer.ChecksumOverride = checksum;
        return this;
    }

    /// <summary>The frame: every layer encoded, lengths, protocol numbers and checksums filled in.</summary>
    public byte[] Build()
    {
        var inner = Array.Empty<byte>();
        for (var i = layers.Count - 1; i >= 0; i--)
        {
            var next = i + 1 < layers.Count ? layers[i + 1] : null;
            var carrier = layers.Take(i).OfType<IpLayer>().LastOrDefault();
            inner = layers[i].Encode(inner, next, carrier);
        }
        return inner;
    }

    /// <summary>Parses the built frame, for reading fields back (<see cref="Frame.Parse"/>).</summary>
    public Frame BuildFrame() => Frame.Parse(Build());

    private PacketBuilder Add(Layer layer)
    {
        if (layers[^1] is PayloadLayer)
            throw new InvalidOperationException($"{layer.Name} after the payload: add headers first, then Payload");
        layers.Add(layer);
        return this;
    }

    private void ExpectAfter<TPrevious, TOr>(string what)
    {
        if (layers[^1] is not TPrevious and not TOr)
            throw new InvalidOperationException($"{what} must follow Ethernet (or another tag), not {layers[^1].Name}");
    }

    private void ExpectNetworkLayerPosition(string what)
    {
        // Straight after Ethernet or a VLAN tag, or inside another IP header (IP in IP).
        if (layers[^1] is not (EthernetLayer or VlanLayer or IpLayer))
            throw new InvalidOperationException($"{what} must follow Ethernet, a VLAN tag or an IP header, not {layers[^1].Name}");
    }

    private void ExpectTransportPosition(string what)
    {
        if (layers[^1] is not IpLayer)
            throw new InvalidOperationException($"{what} must follow an IP header (Ipv4 or Ipv6), not {layers[^1].Name}");
    }

    private IpLayer? LastNetworkLayer() => layers.OfType<IpLayer>().LastOrDefault();

    private static ushort Port(int port, string name) =>
        port is >= 0 and <= 65535 ? (ushort)port : throw new ArgumentOutOfRangeException(name, port, "a port is 0-65535");

    private static byte[] Pad(byte[] options) => options.Length % 4 == 0 ? options : [.. options, .. new byte[4 - options.Length % 4]];

    internal static PhysicalAddress ParseMac(string mac)
    {
        try
        {
            var parsed = PhysicalAddress.Parse(mac.Replace(':', '-'));
            if (parsed.GetAddressBytes().Length == 6)
                return parsed;
        }
        catch (FormatException) { }
        throw new FormatException($"'{mac}' is not a MAC address such as 02:00:00:00:00:01");
    }

    private static byte[] MacBytes(PhysicalAddress mac)
    {
        var bytes = mac.GetAddressBytes();
        return bytes.Length == 6 ? bytes : throw new ArgumentException($"a MAC address has 6 bytes, not {bytes.Length}");
    }

    private static IPAddress ParseIp(string text, AddressFamily family, string name)
    {
        if (!IPAddress.TryParse(text, out var address) || address.AddressFamily != family)
            throw new ArgumentException($"'{text}' is not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address", name);
        return address;
    }

    private abstract class Layer
    {
        public abstract string Name { get; }

        /// <summary>This layer's bytes followed by <paramref name="inner"/> (the already encoded layers after it).</summary>
        public abstract byte[] Encode(byte[] inner, Layer? next, IpLayer? carrier);

        /// <summary>The EtherType that announces this layer, or null when it cannot follow Ethernet.</summary>
        public virtual ushort? EtherTypeValue => null;

        /// <summary>The IP protocol number that announces this layer, or null when it cannot follow IP.</summary>
        public virtual byte? ProtocolValue => null;
    }

    private abstract class ChecksummedLayer : Layer
    {
        public ushort? ChecksumOverride { get; set; }

        protected void WriteChecksum(Span<byte> field, ushort computed) =>
            BinaryPrimitives.WriteUInt16BigEndian(field, ChecksumOverride ?? computed);
    }

    private abstract class IpLayer : ChecksummedLayer
    {
        public abstract IPAddress Source { get; }
        public abstract IPAddress Destination { get; }

        protected static byte ProtocolOf(Layer? next, byte? given, string header) =>
            given ?? next?.ProtocolValue
            ?? throw new InvalidOperationException($"{header} is followed by {next?.Name ?? "nothing"}: say which protocol it carries (the protocol argument)");
    }

    private sealed class EthernetLayer(byte[] source, byte[] destination) : Layer
    {
        public override string Name => "Ethernet";

        public override byte[] Encode(byte[] inner, Layer? next, IpLayer? carrier)
        {
            var type = next?.EtherTypeValue ?? throw new InvalidOperationException(
                $"Ethernet is followed by {next?.Name ?? "nothing"}; add Vlan, Ipv4, Ipv6 or Arp after it");
            var bytes = new byte[14 + inner.Length];
            destination.CopyTo(bytes, 0);
            source.CopyTo(bytes, 6);
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(12), type);
            inner.CopyTo(bytes, 14);
            return bytes;
        }
    }

    private sealed class VlanLayer(ushort tci, ushort tagProtocol) : Layer
    {
        public override string Name => "Vlan";
        public override ushort? EtherTypeValue => tagProtocol;

        public override byte[] Encode(byte[] inner, Layer? next, IpLayer? carrier)
        {
            var type = next?.EtherTypeValue ?? throw new InvalidOperationException(
                $"the VLAN tag is followed by {next?.Name ?? "nothing"}; add Ipv4, Ipv6, Arp or another Vlan after it");
            var bytes = new byte[4 + inner.Length];
            BinaryPrimitives.WriteUInt16BigEndian(bytes, tci);
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), type);
            inner.CopyTo(bytes, 4);
            return bytes;
        }
    }

    private sealed class Ipv4Layer(IPAddress source, IPAddress destination, byte ttl, ushort id, byte tos, ushort flags,
                                   byte? protocol, byte[] options) : IpLayer
    {
        public override string Name => "Ipv4";
        public override IPAddress Source => source;
        public override IPAddress Destination => destination;
        public override ushort? EtherTypeValue => EtherType.Ipv4;
        public override byte? ProtocolValue => IpProtocol.Ipv4;

        public override byte[] Encode(byte[] inner, Layer? next, IpLayer? carrier)
        {
            var ihl = 20 + options.Length;
            if (ihl + inner.Length > 65535)
                throw new InvalidOperationException($"the IPv4 packet would be {ihl + inner.Length} bytes; at most 65535 fit its total length");
            var bytes = new byte[ihl + inner.Length];
            var ip = bytes.AsSpan();
            ip[0] = (byte)(0x40 | ihl / 4);
            ip[1] = tos;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)bytes.Length);
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], id);
            BinaryPrimitives.WriteUInt16BigEndian(ip[6..], flags);
            ip[8] = ttl;
            ip[9] = ProtocolOf(next, protocol, "the IPv4 header");
            source.GetAddressBytes().CopyTo(ip[12..]);
            destination.GetAddressBytes().CopyTo(ip[16..]);
            options.CopyTo(ip[20..]);
            WriteChecksum(ip[10..], InternetChecksum.Compute(ip[..ihl]));
            inner.CopyTo(bytes, ihl);
            return bytes;
        }
    }

    private sealed class Ipv6Layer(IPAddress source, IPAddress destination, byte hopLimit, byte trafficClass, int flowLabel,
                                   byte? nextHeader) : IpLayer
    {
        public override string Name => "Ipv6";
        public override IPAddress Source => source;
        public override IPAddress Destination => destination;
        public override ushort? EtherTypeValue => EtherType.Ipv6;
        public override byte? ProtocolValue => IpProtocol.Ipv6;

        public override byte[] Encode(byte[] inner, Layer? next, IpLayer? carrier)
        {
            if (inner.Length > 65535)
                throw new InvalidOperationException($"the IPv6 payload would be {inner.Length} bytes; at most 65535 fit its payload length (no jumbograms)");
            if (ChecksumOverride is not null)
                throw new InvalidOperationException("the IPv6 header has no checksum");
            var bytes = new byte[40 + inner.Length];
            var ip = bytes.AsSpan();
            BinaryPrimitives.WriteUInt32BigEndian(ip, (uint)(6 << 28 | trafficClass << 20 | flowLabel));
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)inner.Length);
            ip[6] = ProtocolOf(next, nextHeader, "the IPv6 header");
            ip[7] = hopLimit;
            source.GetAddressBytes().CopyTo(ip[8..]);
            destination.GetAddressBytes().CopyTo(ip[24..]);
            inner.CopyTo(bytes, 40);
            return bytes;
        }
    }

    private sealed class TcpLayer(ushort sport, ushort dport, TcpFlags flags, uint seq, uint ack, ushort window, ushort urgent,
                                  byte[] options) : ChecksummedLayer
    {
        public override string Name => "Tcp";
        public override byte? ProtocolValue => IpProtocol.Tcp;

        public override byte[] Encode(byte[] inner, Layer? next, IpLayer? carrier)
        {
            var headerLength = 20 + options.Length;
            var bytes = new byte[headerLength + inner.Length];
            var tcp = bytes.AsSpan();
            BinaryPrimitives.WriteUInt16BigEndian(tcp, sport);
            BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], dport);
            BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], seq);
            BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], ack);
            tcp[12] = (byte)(headerLength / 4 << 4);
            tcp[13] = (byte)flags;
            BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], window);
            BinaryPrimitives.WriteUInt16BigEndian(tcp[18..], urgent);
            options.CopyTo(tcp[20..]);
            inner.CopyTo(bytes, headerLength);
            WriteChecksum(tcp[16..], InternetChecksum.Transport(carrier!.Source, carrier.Destination, IpProtocol.Tcp, bytes));
            return bytes;
        }
    }

    private sealed class UdpLayer(ushort sport, ushort dport) : ChecksummedLayer
    {
        public override string Name => "Udp";
        public override byte? ProtocolValue => IpProtocol.Udp;

        public override byte[] Encode(byte[] inner, Layer? next, IpLayer? carrier)
        {
            if (8 + inner.Length > 65535)
                throw new InvalidOperationException($"the UDP datagram would be {8 + inner.Length} bytes; at most 65535 fit its length");
            var bytes = new byte[8 + inner.Length];
            var udp = bytes.AsSpan();
            BinaryPrimitives.WriteUInt16BigEndian(udp, sport);
            BinaryPrimitives.WriteUInt16BigEndian(udp[2..], dport);
            BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)bytes.Length);
            inner.CopyTo(bytes, 8);
            var sum = InternetChecksum.Transport(carrier!.Source, carrier.Destination, IpProtocol.Udp, bytes);
            WriteChecksum(udp[6..], sum == 0 ? (ushort)0xffff : sum); // 0 means "no checksum" in UDP: a computed 0 is sent as all ones
            return bytes;
        }
    }

    private sealed class IcmpLayer(byte protocol, byte type, byte code, uint rest) : ChecksummedLayer
    {
        public override string Name => protocol == IpProtocol.Icmp ? "Icmp" : "Icmpv6";
        public override byte? ProtocolValue => protocol;

        public override byte[] Encode(byte[] inner, Layer? next, IpLayer? carrier)
        {
            var bytes = new byte[8 + inner.Length];
            bytes[0] = type;
            bytes[1] = code;
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), rest);
            inner.CopyTo(bytes, 8);
            var sum = protocol == IpProtocol.Icmp
                ? InternetChecksum.Compute(bytes)                                              // ICMP: the message alone
                : InternetChecksum.Transport(carrier!.Source, carrier.Destination, protocol, bytes); // ICMPv6: with the pseudo-header
            WriteChecksum(bytes.AsSpan(2), sum);
            return bytes;
        }
    }

    private sealed class ArpLayer(ushort operation, byte[] senderMac, IPAddress senderIp, byte[] targetMac, IPAddress targetIp) : Layer
    {
        public override string Name => "Arp";
        public override ushort? EtherTypeValue => EtherType.Arp;

        public override byte[] Encode(byte[] inner, Layer? next, IpLayer? carrier)
        {
            var bytes = new byte[28 + inner.Length];
            var arp = bytes.AsSpan();
            BinaryPrimitives.WriteUInt16BigEndian(arp, 1);              // hardware: Ethernet
            BinaryPrimitives.WriteUInt16BigEndian(arp[2..], EtherType.Ipv4);
            arp[4] = 6;
            arp[5] = 4;
            BinaryPrimitives.WriteUInt16BigEndian(arp[6..], operation);
            senderMac.CopyTo(arp[8..]);
            senderIp.GetAddressBytes().CopyTo(arp[14..]);
            targetMac.CopyTo(arp[18..]);
            targetIp.GetAddressBytes().CopyTo(arp[24..]);
            inner.CopyTo(bytes, 28);
            return bytes;
        }
    }

    private sealed class PayloadLayer(byte[] data) : Layer
    {
        public byte[] Data { get; set; } = data;
        public override string Name => "Payload";

        public override byte[] Encode(byte[] inner, Layer? next, IpLayer? carrier) => [.. Data, .. inner];
    }
}
