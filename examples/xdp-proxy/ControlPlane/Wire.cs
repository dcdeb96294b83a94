using System.Net;

namespace Ebpf.Examples.XdpProxy.ControlPlane;

/// <summary>
/// Addresses and ports as the program keeps them: "network order" fields of xdp-proxy.bpf.c hold the bytes as they
/// appear on the wire (so 10.0.0.1 is stored as 0x0100000a on little-endian).
/// </summary>
internal static class Wire
{
    /// <summary>The IPv4 address as the program loads it from a packet.</summary>
    public static uint Ip(IPAddress address)
    {
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new ArgumentException($"{address} is not an IPv4 address; the balancer handles IPv4 only");
        return BitConverter.ToUInt32(address.GetAddressBytes());
    }

    public static IPAddress Ip(uint wire) => new(BitConverter.GetBytes(wire));

    /// <summary>A port in network byte order.</summary>
    public static ushort Port(int port) => (ushort)IPAddress.HostToNetworkOrder((short)port);

    public static int Port(ushort wire) => (ushort)IPAddress.NetworkToHostOrder((short)wire);
}
