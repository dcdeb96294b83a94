namespace Ebpf.Examples.Tests;

/// <summary>
/// The kernel program's flow hash (flow_hash() in xdp-proxy.bpf.c), reproduced so the tests can predict which
/// Maglev entry a connection lands on. Inputs are the raw network-order values as the program loads them from the
/// packet (little-endian loads on x86). A mirror, not a copy to keep in step by hand: XdpProxyProgramTests checks it
/// against the program on many flows, so a change to one side alone fails there.
/// </summary>
internal static class XdpProxyFlowHash
{
    public static uint Compute(uint saddr, uint daddr, ushort sport, ushort dport)
    {
        var h = Mix(0x9e3779b9u ^ saddr);
        h = Mix(h ^ daddr);
        h = Mix(h ^ (((uint)sport << 16) | dport));
        return h;
    }

    public static uint Mix(uint h)
    {
        h ^= h >> 16;
        h *= 0x85ebca6bu;
        h ^= h >> 13;
        h *= 0xc2b2ae35u;
        h ^= h >> 16;
        return h;
    }
}
