namespace Ebpf.Examples.XdpProxy.DataPlane;

internal static class AttachErrors
{
    /// <summary>A failed native attach, with the two usual causes and the way out.</summary>
    public static string Native(string iface, string cause) =>
        $"native XDP attach on {iface} (or on its veth peer, which needs the XDP stub) failed: {cause}. " +
        "Native XDP on veth refuses MTUs above about 3.5 KB on either end (lower the MTU), and needs a driver " +
        "with XDP support; --mode generic works everywhere";
}
