using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Ebpf.Examples.XdpProxy.Linux;

/// <summary>
/// Next-hop MACs from the kernel: the route to an address (direct, or through a gateway) and the
/// neighbour table's entry for that next hop. When there is no entry yet, a datagram to the discard
/// port makes the kernel resolve it (ARP), the same as any first packet would.
/// </summary>
internal static class Neighbours
{
    public sealed record NextHop(IPAddress Via, string Device, byte[] Mac, IPAddress? PreferredSource);

    public static NextHop Resolve(IPAddress destination, string? netns, TimeSpan timeout)
    {
        var route = Ip(netns, "route", "get", destination.ToString())[0];
        var dev = route.GetProperty("dev").GetString()!;
        var via = route.TryGetProperty("gateway", out var gw) ? IPAddress.Parse(gw.GetString()!) : destination;
        IPAddress? src = route.TryGetProperty("prefsrc", out var ps) ? IPAddress.Parse(ps.GetString()!) : null;

        var until = DateTime.UtcNow + timeout;
        var poked = false;
        while (true)
        {
            if (Lookup(via, dev, netns) is { } mac)
                return new NextHop(via, dev, mac, src);
            if (DateTime.UtcNow > until)
                throw new ToolException($"no neighbour entry (MAC) for {via} on {dev}{In(netns)} and ARP got no answer; " +
                                        $"check that {via} is up, or add one: ip neigh add {via} lladdr MAC dev {dev} nud permanent");
            if (!poked)
            {
                Poke(via, netns);
                poked = true;
            }
            Thread.Sleep(50);
        }
    }

    /// <summary>The MAC of a usable (not failed/incomplete) neighbour entry, or null.</summary>
    public static byte[]? Lookup(IPAddress address, string dev, string? netns)
    {
        foreach (var n in Ip(netns, "neigh", "show", "to", address.ToString(), "dev", dev).EnumerateArray())
        {
            if (!n.TryGetProperty("lladdr", out var ll))
                continue;
            var states = n.TryGetProperty("state", out var st) ? st.EnumerateArray().Select(s => s.GetString()).ToArray() : [];
            if (states.Contains("FAILED") || states.Contains("INCOMPLETE"))
                continue;
            return Convert.FromHexString(ll.GetString()!.Replace(":", ""));
        }
        return null;
    }

    private static void Poke(IPAddress address, string? netns) => NetNs.Run(netns, () =>
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            s.SendTo([], new IPEndPoint(address, 9)); // discard port; only the ARP request matters
        }
        catch (SocketException)
        {
            // unreachable right now: the poll above times out with an explanation
        }
    });

    private static JsonElement Ip(string? netns, params string[] args)
    {
        string[] full = netns is null ? ["-j", .. args] : ["-n", netns, "-j", .. args];
        return JsonDocument.Parse(Tool.Run("ip", full)).RootElement;
    }

    private static string In(string? netns) => netns is null ? "" : $" in network namespace {netns}";
}
