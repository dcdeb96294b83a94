using System.Text.Json;

namespace Ebpf.Examples.XdpProxy.Linux;

/// <summary>Where the other end of a veth is: its ifindex and the named namespace it lives in.</summary>
internal sealed record VethPeer(int IfIndex, string Name, string? Netns)
{
    /// <summary>The peer of <paramref name="iface"/>, or null when it is not a veth.</summary>
    public static VethPeer? Find(string iface, string? netns)
    {
        var link = Json(netns, "-d", "link", "show", "dev", iface)[0];
        if (!link.TryGetProperty("linkinfo", out var info) || info.GetProperty("info_kind").GetString() != "veth")
            return null;
        var peerIndex = link.GetProperty("link_index").GetInt32();
        string? peerNetns = netns;
        if (link.TryGetProperty("link_netnsid", out var nsid))
        {
            // The peer lives in another namespace, known here by an id; ip maps ids to names.
            var id = nsid.GetInt32();
            peerNetns = Json(netns, "netns", "list-id").EnumerateArray()
                .Where(e => e.GetProperty("nsid").GetInt32() == id && e.TryGetProperty("name", out _))
                .Select(e => e.GetProperty("name").GetString())
                .FirstOrDefault()
                ?? throw new ToolException($"the veth peer of {iface} is in a namespace without a name (nsid {id}); " +
                                           "create namespaces with `ip netns add` so the balancer can load the XDP stub on the peer, or use --mode generic");
        }
        var peer = Json(peerNetns, "link", "show").EnumerateArray()
            .First(e => e.GetProperty("ifindex").GetInt32() == peerIndex);
        return new VethPeer(peerIndex, peer.GetProperty("ifname").GetString()!, peerNetns);
    }

    /// <summary>Whether <paramref name="iface"/> already runs an XDP program (any mode).</summary>
    public static bool HasXdp(string iface, string? netns) => Json(netns, "link", "show", "dev", iface)[0].TryGetProperty("xdp", out _);

    private static JsonElement Json(string? netns, params string[] args)
    {
        string[] full = netns is null ? ["-j", .. args] : ["-n", netns, "-j", .. args];
        return JsonDocument.Parse(Tool.Run("ip", full)).RootElement;
    }
}
