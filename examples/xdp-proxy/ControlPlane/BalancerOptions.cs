using System.Net;
using Ebpf.Links;

namespace Ebpf.Examples.XdpProxy.ControlPlane;

/// <summary>What `run` was asked to do.</summary>
internal sealed record BalancerOptions(
    string Interface,
    string? Netns,
    IPAddress Vip,
    int Port,
    IReadOnlyList<IPEndPoint> Backends,
    XdpAttachMode Mode,
    IPAddress? Snat,
    int NatPortMin,
    int NatPortMax)
{
    /// <summary>
    /// NAT ports by default sit below Linux's default ephemeral range (32768-60999), so the balancer's
    /// own outgoing connections never use a port that NAT hands out.
    /// </summary>
    public const int DefaultNatPortMin = 10000;
    public const int DefaultNatPortMax = 32767;

    /// <summary>Parses IP or IP:PORT; a bare IP gets <paramref name="defaultPort"/>.</summary>
    public static IPEndPoint ParseBackend(string text, int defaultPort)
    {
        if (IPEndPoint.TryParse(text, out var ep) && ep.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            return ep.Port == 0 ? new IPEndPoint(ep.Address, defaultPort) : ep;
        throw new ArgumentException($"backend '{text}' is not an IPv4 address or IPv4:PORT");
    }
}
