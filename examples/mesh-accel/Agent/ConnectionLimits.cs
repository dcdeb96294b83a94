namespace Ebpf.Examples.MeshAccel.Agent;

/// <summary>
/// Sizes of the per-connection maps (orig_by_cookie, orig_by_tuple; LRU, so a full map evicts its oldest entry rather
/// than refusing a connection). 65,536 by default; smaller for tests of the bound, larger for busy nodes. A pinned map of
/// another size is refused with a message (uninstall first).
/// </summary>
internal static class ConnectionLimits
{
    public const uint Default = 65536;

    public static void Apply(MeshAccelSkel skel, uint maxConnections)
    {
        skel.Maps.OrigByCookie.MaxEntries = maxConnections;
        skel.Maps.OrigByTuple.MaxEntries = maxConnections;
    }
}
