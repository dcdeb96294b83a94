using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Ebpf.Examples.MeshAccel.Mesh;

namespace Ebpf.Examples.MeshAccel.Agent;

/// <summary>
/// Addresses and pods in the forms mesh-accel.bpf.c keeps them: 16-byte addresses in network order, IPv4 v4-mapped
/// (::ffff:a.b.c.d), so one comparison serves both families and an IPv4 address written v4-mapped on an IPv6
/// socket is the same key; an IPv4 /n range becomes a /(96+n) range of the mapped space.
/// </summary>
internal static class KernelForms
{
    [Flags]
    public enum PodFlags : uint
    {
        Meshed = 1,
        InboundAll = 2,
        OutboundAll = 4,
    }

    public static MeshAccelSkel.UInt32Array4 Address(IPAddress ip)
    {
        var bytes = (ip.AddressFamily == AddressFamily.InterNetwork ? ip.MapToIPv6() : ip).GetAddressBytes();
        var words = new MeshAccelSkel.UInt32Array4();
        MemoryMarshal.Cast<byte, uint>(bytes).CopyTo(words);
        return words;
    }

    public static IPAddress FromKernel(MeshAccelSkel.UInt32Array4 words)
    {
        Span<uint> w = words;
        var ip = new IPAddress(MemoryMarshal.AsBytes(w));
        return ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
    }

    public static MeshAccelSkel.IpKey Key(IPAddress ip) => new() { Ip = Address(ip) };

    public static MeshAccelSkel.Cidr Range(IPNetwork net) => new()
    {
        Ip = Address(net.BaseAddress),
        Prefix = (uint)(net.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 96 + net.PrefixLength : net.PrefixLength),
    };

    public static MeshAccelSkel.PodInfo Pod(PodPolicy p)
    {
        var info = new MeshAccelSkel.PodInfo
        {
            Ip4 = p.Ipv4 is null ? default : Address(p.Ipv4),
            Ip6 = p.Ipv6 is null ? default : Address(p.Ipv6),
            Flags = (uint)((p.Meshed ? PodFlags.Meshed : 0) | (p.IncludeInboundPorts is null ? PodFlags.InboundAll : 0)
                           | (p.IncludeOutboundRanges is null ? PodFlags.OutboundAll : 0)),
            NExcludeOutRanges = (uint)p.ExcludeOutboundRanges.Count,
            NIncludeOutRanges = (uint)(p.IncludeOutboundRanges?.Count ?? 0),
        };
        Fill(info.ExcludeOutPorts, p.ExcludeOutboundPorts);
        Fill(info.ExcludeInPorts, p.ExcludeInboundPorts);
        Fill(info.IncludeInPorts, p.IncludeInboundPorts ?? []);
        for (var i = 0; i < p.ExcludeOutboundRanges.Count; i++)
            info.ExcludeOutRanges[i] = Range(p.ExcludeOutboundRanges[i]);
        for (var i = 0; i < (p.IncludeOutboundRanges?.Count ?? 0); i++)
            info.IncludeOutRanges[i] = Range(p.IncludeOutboundRanges![i]);
        return info;
    }

    /// <summary>Byte equality of two kernel structs (their inline arrays make the default Equals compare first elements only).</summary>
    public static bool SameBytes<T>(T a, T b) where T : unmanaged =>
        MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in a)).SequenceEqual(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in b)));

    private static void Fill(Span<ushort> slots, IReadOnlyList<int> ports)
    {
        for (var i = 0; i < ports.Count; i++)
            slots[i] = (ushort)ports[i];
    }
}
