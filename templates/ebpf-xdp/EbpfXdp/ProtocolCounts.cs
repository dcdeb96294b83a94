namespace EbpfXdp;

/// <summary>One protocol's totals, added up over the CPUs.</summary>
public sealed record ProtocolCount(string Protocol, ulong Packets, ulong Bytes);

public static class ProtocolCounts
{
    /// <summary>The counts in the program's map, most packets first.</summary>
    public static IReadOnlyList<ProtocolCount> Read(PacketsSkel skel)
    {
        var counts = new List<ProtocolCount>();
        var map = skel.Maps.Protocols;   // PerCpuHashMap<PacketsSkel.ProtocolKey, PacketsSkel.Counters>
        var perCpu = new PacketsSkel.Counters[map.CpuCount];
        foreach (var key in map.Keys)
        {
            if (!map.TryLookup(key, perCpu))
                continue;   // removed meanwhile
            ulong packets = 0, bytes = 0;
            foreach (var c in perCpu)
            {
                packets += c.Packets;
                bytes += c.Bytes;
            }
            counts.Add(new ProtocolCount(Name(key), packets, bytes));
        }
        return counts.OrderByDescending(c => c.Packets).ThenBy(c => c.Protocol, StringComparer.Ordinal).ToList();
    }

    /// <summary>"IPv4/UDP", "IPv6/ICMPv6", "ARP", or the numbers for what has no name here.</summary>
    public static string Name(PacketsSkel.ProtocolKey key)
    {
        var network = key.EtherType switch
        {
            0x0800 => "IPv4",
            0x86DD => "IPv6",
            0x0806 => "ARP",
            0x8100 => "802.1Q",
            0x88A8 => "802.1ad",
            var other => $"0x{other:x4}",
        };
        if (key.EtherType is not (0x0800 or 0x86DD))
            return network;
        var transport = key.IpProtocol switch
        {
            0 => "hop-by-hop",
            1 => "ICMP",
            6 => "TCP",
            17 => "UDP",
            58 => "ICMPv6",
            132 => "SCTP",
            var other => $"proto {other}",
        };
        return $"{network}/{transport}";
    }
}
