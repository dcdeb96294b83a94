namespace Ebpf.Examples.XdpProxy.DataPlane;

/// <summary>enum stat of xdp-proxy.bpf.c: the indices of the program's global counters (map stats).</summary>
internal enum ProgramStat
{
    Passed = 0,
    ToBackend,
    ToClient,
    NoBackend,
    NatExhausted,
}
