using Ebpf.Examples.Tcptop.Export;
using Prometheus;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// tcptop's /metrics answers in one body with a Content-Length, not chunked: HttpListener sends a chunked body as three
/// writes per chunk, and the small ones stalled 40 ms behind the scraper's delayed ACK (docs/benchmarks.md).
/// </summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task AnswersTheExpositionInOneBodyWithAContentLength()
    {
        var registry = Metrics.NewCustomRegistry();
        var counter = Metrics.WithCustomRegistry(registry).CreateCounter("tcptop_test_total", "A test counter.", "n");
        for (var i = 0; i < 2000; i++) // about 80 KB of exposition: several 16 KiB chunks had it been streamed
            counter.WithLabels(i.ToString()).Inc(i);
        var port = ExportRun.FreePort();
        using var endpoint = new MetricsEndpoint("127.0.0.1", port, registry);
        using var http = new HttpClient();

        using var response = await http.GetAsync($"http://127.0.0.1:{port}/metrics", TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(body), response.Content.Headers.ContentLength);
        Assert.True(body.Length > 3 * 16384, $"the exposition is only {body.Length} bytes");
        Assert.Contains("tcptop_test_total{n=\"1999\"} 1999", body);
    }
}
