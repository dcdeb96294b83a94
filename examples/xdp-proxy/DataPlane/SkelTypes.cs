namespace Ebpf.Examples.XdpProxy;

// Additions to the structs the skeleton generates from xdp-proxy.bpf.c (they are partial for this): per-CPU
// counters are summed with +.
public sealed partial class XdpProxySkel
{
    public partial struct BackendCounters
    {
        public static BackendCounters operator +(BackendCounters a, BackendCounters b) => new()
        {
            PacketsToBackend = a.PacketsToBackend + b.PacketsToBackend,
            BytesToBackend = a.BytesToBackend + b.BytesToBackend,
            PacketsToClient = a.PacketsToClient + b.PacketsToClient,
            BytesToClient = a.BytesToClient + b.BytesToClient,
        };
    }
}
