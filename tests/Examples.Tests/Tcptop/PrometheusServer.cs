using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// The real Prometheus (Debian package `prometheus`) as a plain process: its own loopback port, a private data
/// directory, a 1 s scrape of one target. Queried over its HTTP API. Dispose stops it and deletes the directory.
/// </summary>
internal sealed class PrometheusServer : IDisposable
{
    private readonly Process process;
    private readonly string dir;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public PrometheusServer(int targetPort)
    {
        dir = Directory.CreateTempSubdirectory("tcptop-prom-").FullName;
        Port = FreePort();
        var config = Path.Combine(dir, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: tcptop
                scrape_interval: 1s
                static_configs:
                  - targets: ['127.0.0.1:{targetPort}']
            """);
        process = HostCommand.Start("prometheus",
            [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(dir, "data")}", $"--web.listen-address=127.0.0.1:{Port}"]);
        process.BeginOutputReadLine(); // its log is not needed: read and dropped, so a full pipe cannot stall it
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    /// <summary>Evaluates an instant query; the "data" element of the answer, or the error Prometheus gave.</summary>
    public async Task<(bool Ok, JsonElement Data, string Error)> QueryAsync(string expr, CancellationToken ct)
    {
        var url = $"http://127.0.0.1:{Port}/api/v1/query?query={Uri.EscapeDataString(expr)}";
        using var response = await http.GetAsync(url, ct);
        var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement;
        var ok = doc.GetProperty("status").GetString() == "success";
        return (ok, ok ? doc.GetProperty("data").Clone() : default, ok ? "" : doc.GetProperty("error").GetString() ?? "");
    }

    /// <summary>The result vector of an instant query (label sets and values).</summary>
    public async Task<IReadOnlyList<(Dictionary<string, string> Labels, double Value)>> VectorAsync(string expr, CancellationToken ct)
    {
        var (ok, data, error) = await QueryAsync(expr, ct);
        Assert.True(ok, $"query '{expr}' failed: {error}");
        return data.GetProperty("result").EnumerateArray().Select(r => (
            r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? ""),
            double.Parse(r.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture))).ToArray();
    }

    /// <summary>Polls until <paramref name="expr"/>'s summed value equals <paramref name="expected"/> (the first samples take seconds).</summary>
    public async Task<double> WaitForValueAsync(string expr, double expected, TimeSpan timeout, CancellationToken ct)
    {
        var until = DateTime.UtcNow + timeout;
        var last = double.NaN;
        while (DateTime.UtcNow < until)
        {
            try
            {
                var v = await VectorAsync(expr, ct);
                last = v.Count == 0 ? double.NaN : v.Sum(x => x.Value);
                if (last == expected)
                    return last;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(500, ct);
        }
        return last;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        HostCommand.Stop(process);
        http.Dispose();
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }
}
