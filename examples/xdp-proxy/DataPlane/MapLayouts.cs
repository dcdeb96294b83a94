using System.Net;
using System.Runtime.InteropServices;

namespace Ebpf.Examples.XdpProxy.DataPlane;

// Map values of xdp-proxy.bpf.c, byte for byte. Addresses and ports marked "network order" hold the
// bytes as they appear on the wire (so 10.0.0.1 is stored as 0x0100000a on little-endian).

/// <summary>struct config.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BalancerConfig
{
    public uint Vip;            // network order
    public uint SnatIp;         // network order
    public ushort Port;         // network order
    public ushort NatPortMin;   // host order
    public ushort NatPortCount; // host order; 0 = balancer off
    public ushort Pad;
}

/// <summary>struct backend.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct BackendEntry
{
    public uint Ip;             // network order; 0 = empty slot
    public ushort Port;         // network order
    public fixed byte Mac[6];
    public uint Flags;

    public const uint Active = 1;   // BACKEND_ACTIVE: in the Maglev table
    public const uint Draining = 2; // BACKEND_DRAINING: removed, still serves its existing flows
}

/// <summary>struct backend_counters (one per CPU in the map; summed by the reader).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BackendCounters
{
    public ulong PacketsToBackend;
    public ulong BytesToBackend;
    public ulong PacketsToClient;
    public ulong BytesToClient;

    public static BackendCounters operator +(BackendCounters a, BackendCounters b) => new()
    {
        PacketsToBackend = a.PacketsToBackend + b.PacketsToBackend,
        BytesToBackend = a.BytesToBackend + b.BytesToBackend,
        PacketsToClient = a.PacketsToClient + b.PacketsToClient,
        BytesToClient = a.BytesToClient + b.BytesToClient,
    };

    public static BackendCounters operator -(BackendCounters a, BackendCounters b) => new()
    {
        PacketsToBackend = a.PacketsToBackend - b.PacketsToBackend,
        BytesToBackend = a.BytesToBackend - b.BytesToBackend,
        PacketsToClient = a.PacketsToClient - b.PacketsToClient,
        BytesToClient = a.BytesToClient - b.BytesToClient,
    };
}

/// <summary>enum stat: the program's global counters.</summary>
internal enum ProgramStat
{
    Passed = 0,
    ToBackend,
    ToClient,
    NoBackend,
    NatExhausted,
}

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
