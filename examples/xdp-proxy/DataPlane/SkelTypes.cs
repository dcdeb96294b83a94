namespace Ebpf.Examples.XdpProxy;

// Additions to the structs the skeleton generates from xdp-proxy.bpf.c (they are partial for this).
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

    public partial struct Backend
    {
        /// <summary>BACKEND_ACTIVE: in the Maglev table, takes new flows.</summary>
        public const uint Active = 1;

        /// <summary>BACKEND_DRAINING: removed, keeps serving the flows it already has.</summary>
        public const uint Draining = 2;
    }
}
