using Ebpf.Examples.Linux;

namespace Ebpf.Examples.Health;

/// <summary>ADDR:PORT as the agents take it for their HTTP endpoints (tcptop's /metrics, the others' /healthz).</summary>
public static class ListenAddress
{
    /// <summary>ADDR:PORT, :PORT or PORT; an IPv6 address in brackets ([::1]:19435). Empty address: all interfaces ("+" to HttpListener).</summary>
    public static (string Host, int Port) Parse(string text, string option)
    {
        var colon = text.LastIndexOf(':');
        var host = colon < 0 ? "" : text[..colon];
        var portText = colon < 0 ? text : text[(colon + 1)..];
        if (!int.TryParse(portText, out var port) || port is < 1 or > 65535)
            throw new ToolException($"{option} '{text}': want ADDR:PORT, :PORT or PORT with a port from 1 to 65535");
        if (host is "" or "0.0.0.0" or "[::]" or "*")
            host = "+"; // HttpListener: every interface
        return (host, port);
    }
}
