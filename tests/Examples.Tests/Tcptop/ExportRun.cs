using System.Net;
using System.Net.Sockets;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>`tcptop export` running as a user starts it, on a free loopback port, ready to be scraped.</summary>
internal sealed class ExportRun : IDisposable
{
    public ExportRun(params string[] extraArgs)
    {
        Port = FreePort();
        App = new AppRun("tcptop.dll", ["export", "--listen", $"127.0.0.1:{Port}", .. extraArgs]);
        Assert.True(App.WaitForLine("serving", TimeSpan.FromSeconds(60)) is not null, $"tcptop export did not start:\n{App.Transcript}");
    }

    public int Port { get; }
    public AppRun App { get; }

    public Task<MetricsScrape> ScrapeAsync(CancellationToken ct) => MetricsScrape.GetAsync(Port, ct);

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public void Dispose() => App.Dispose();
}
