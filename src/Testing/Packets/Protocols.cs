namespace Ebpf.Testing;

/// <summary>EtherType values (IEEE 802) the builders and the parser know.</summary>
public static class EtherType
{
    public const ushort Ipv4 = 0x0800;
    public const ushort Arp = 0x0806;
    /// <summary>An 802.1Q VLAN tag (C-tag).</summary>
    public const ushort Vlan = 0x8100;
    /// <summary>An 802.1ad service tag (S-tag, the outer tag of QinQ).</summary>
    public const ushort QinQ = 0x88a8;
    public const ushort Ipv6 = 0x86dd;
}

/// <summary>IP protocol numbers (IPv4 protocol, IPv6 next header) the builders and the parser know.</summary>
public static class IpProtocol
{
    public const byte HopByHop = 0;
    public const byte Icmp = 1;
    /// <summary>IPv4 in IP (IPIP).</summary>
    public const byte Ipv4 = 4;
    public const byte Tcp = 6;
    public const byte Udp = 17;
    /// <summary>IPv6 in IP.</summary>
    public const byte Ipv6 = 41;
    public const byte Routing = 43;
    public const byte Fragment = 44;
    public const byte Icmpv6 = 58;
    public const byte NoNextHeader = 59;
    public const byte DestinationOptions = 60;
}

/// <summary>TCP header flags (the low byte of the flags field; NS is not used).</summary>
[Flags]
public enum TcpFlags : byte
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Rst = 0x04,
    Psh = 0x08,
    Ack = 0x10,
    Urg = 0x20,
    Ece = 0x40,
    Cwr = 0x80,
}
