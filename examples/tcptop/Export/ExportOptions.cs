using Ebpf.Examples.Tcptop.Accounting;
using Ebpf.Programs;

namespace Ebpf.Examples.Tcptop.Export;

internal sealed record ExportOptions
{
    /// <summary>
    /// Not in Prometheus's default-port allocation list: 9100-9999 are all given out (9435 is ebpf_exporter's) and
    /// allocation went on above 10000, so the default sits well away from both.
    /// </summary>
    public const int DefaultPort = 19435;

    public string Host { get; init; } = "+";
    public int Port { get; init; } = DefaultPort;
    public LabelChoice Labels { get; init; } = LabelChoice.Default;
    public int MaxSeries { get; init; } = 500;
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(60);
    public bool BpfStats { get; init; }

    /// <summary>ADDR:PORT, :PORT or PORT; an IPv6 address in brackets ([::1]:19435). Empty address: all interfaces.</summary>
    public static (string Host, int Port) ParseListen(string text)
    {
        var colon = text.LastIndexOf(':');
        var host = colon < 0 ? "" : text[..colon];
        var portText = colon < 0 ? text : text[(colon + 1)..];
        if (!int.TryParse(portText, out var port) || port is < 1 or > 65535)
            throw new ToolException($"--listen '{text}': want ADDR:PORT, :PORT or PORT with a port from 1 to 65535");
        if (host is "" or "0.0.0.0" or "[::]" or "*")
            host = "+"; // HttpListener: every interface
        return (host, port);
    }
}
