using System.Net;
using Ebpf.Examples.Health;
using Prometheus;

namespace Ebpf.Examples.Tcptop.Export;

/// <summary>
/// GET /metrics: prometheus-net's text exposition of the registry (its before-collect callbacks read the kernel maps),
/// served by HttpListener, no ASP.NET, in one write with a Content-Length. prometheus-net's own MetricServer streams the
/// exposition chunked, and .NET's HttpListener sends each 16 KiB chunk as three writes (size line, data, CRLF): a small
/// write behind an unacknowledged small one waits for the client's delayed ACK (Nagle's algorithm), and HttpListener
/// offers no TCP_NODELAY. Traced with strace in `tcptop bench` (2026-12-07): most scrapes of 501 series stalled 40 ms
/// there, whatever the scraper. Serializing first costs one buffer of the exposition's size (about 100 KB for 500
/// series) and sends it at once.
/// </summary>
internal sealed class MetricsEndpoint : IDisposable
{
    /// <summary>The Prometheus text exposition format's media type, which CollectAndExportAsTextAsync writes.</summary>
    private const string TextFormat = "text/plain; version=0.0.4; charset=utf-8";

    private readonly HttpListener listener;
    private readonly CollectorRegistry registry;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task serving;

    /// <summary>Listens on <paramref name="host"/>:<paramref name="port"/>; throws HttpListenerException when the port is taken.</summary>
    public MetricsEndpoint(string host, int port, CollectorRegistry registry)
    {
        this.registry = registry;
        listener = HttpListenerRace.Start(() =>
        {
            var l = new HttpListener();
            l.Prefixes.Add($"http://{host}:{port}/metrics/");
            return l;
        }, l => l.Start());
        serving = Task.Run(() => HttpListenerRequests.ServeAsync(listener, Answer));
    }

    private async Task Answer(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            using var body = new MemoryStream();
            try
            {
                await registry.CollectAndExportAsTextAsync(body, stopping.Token);
                response.StatusCode = 200;
                response.ContentType = TextFormat;
            }
            catch (ScrapeFailedException e)
            {
                // a before-collect callback refused this scrape: the scraper records it as failed, with the reason
                body.SetLength(0);
                body.Write(System.Text.Encoding.UTF8.GetBytes($"scrape failed: {e.Message}\n"));
                response.StatusCode = 503;
                response.ContentType = "text/plain; charset=utf-8";
            }
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length), stopping.Token);
            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // the scraper went away, or the exporter is stopping
        }
    }

    public void Dispose()
    {
        stopping.Cancel();
        HttpListenerRace.Dispose(listener);
        try { serving.Wait(TimeSpan.FromSeconds(2)); }
        catch (AggregateException) { }
        stopping.Dispose();
    }
}
