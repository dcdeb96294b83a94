using System.Text.Json;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// End to end with the real Prometheus: it scrapes `tcptop export` every second; a query over its HTTP API gives the
/// exact bytes a test process sent, and every query of the Grafana dashboard, evaluated during traffic, parses, uses a
/// tcptop_ metric and returns series (the top-processes panel includes the test's process).
/// </summary>
[Collection(TcptopCollection.Name)]
public sealed class TcptopPrometheusTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PrometheusSeesTheExactBytesAndEveryDashboardQueryReturnsSeries()
    {
        Kernel.RequireRoot();
        // Paced, so the traffic lasts while the panels are evaluated: 150 writes of 100,000 bytes, 100 ms apart.
        const long bytes = 15_000_000;
        // --bpf-stats: the dashboard's per-event cost panel needs the run statistics.
        using var export = new ExportRun("--bpf-stats");
        using var prometheus = new PrometheusServer(export.Port);
        using var senderCgroup = new TempCgroup("ttps");
        using var receiverCgroup = new TempCgroup("ttpr");
        var txComm = TcpPeers.Comm("promtx");
        var (server, port) = TcpPeers.Serve(receiverCgroup, null, TcpPeers.Comm("promrx"), "127.0.0.1");
        using var _ = server;
        using var client = TcpPeers.SendPaced(senderCgroup, txComm, "127.0.0.1", port, bytes, 100_000, 100);

        // Wait until Prometheus has a few seconds of the sender's samples, so rates over 15 s have two points or more.
        var seen = await prometheus.WaitForValueAsync($"count(tcptop_sent_bytes_total{{comm=\"{txComm}\"}} > 0)", 1, TimeSpan.FromSeconds(60), Ct);
        Assert.True(seen == 1, "Prometheus never saw the sender's series");
        await Task.Delay(TimeSpan.FromSeconds(4), Ct);
        Assert.False(client.HasExited, "the sender finished before the panels were evaluated: the traffic is too short");

        var dashboard = new Dashboard();
        var variables = await VariableValuesAsync(prometheus, dashboard);
        Assert.NotEmpty(dashboard.Queries);
        foreach (var q in dashboard.Queries)
        {
            Assert.Contains("tcptop_", q.Expr);
            var expr = Dashboard.Expand(q.Expr, variables);
            Assert.DoesNotContain("$", expr);
            var (ok, data, error) = await prometheus.QueryAsync(expr, Ct);
            Assert.True(ok, $"panel '{q.Panel}': '{expr}' does not evaluate: {error}");
            Assert.True(data.GetProperty("result").GetArrayLength() > 0, $"panel '{q.Panel}': '{expr}' returns no series");
        }
        var top = dashboard.Queries.First(q => q.Panel == "Top processes by send rate");
        var topResult = await prometheus.VectorAsync(Dashboard.Expand(top.Expr, variables), Ct);
        Assert.Contains(topResult, r => r.Labels.GetValueOrDefault("comm") == txComm && r.Value > 0);

        Assert.Equal(bytes, TcpPeers.Result(client, "sent"));
        Assert.Equal(bytes, TcpPeers.Result(server, "received"));
        var total = await prometheus.WaitForValueAsync($"sum(tcptop_sent_bytes_total{{comm=\"{txComm}\"}})", bytes, TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(bytes, total);
    }

    /// <summary>Each template variable's value: .* when it includes All, else the first value its own query returns.</summary>
    private static async Task<Dictionary<string, string>> VariableValuesAsync(PrometheusServer prometheus, Dashboard dashboard)
    {
        var values = new Dictionary<string, string>();
        foreach (var v in dashboard.Variables)
        {
            var name = v.GetProperty("name").GetString()!;
            if (v.TryGetProperty("includeAll", out var all) && all.GetBoolean())
            {
                values[name] = v.TryGetProperty("allValue", out var av) && av.GetString() is { Length: > 0 } s ? s : ".*";
                continue;
            }
            var query = v.GetProperty("query");
            var text = query.ValueKind == JsonValueKind.Object ? query.GetProperty("query").GetString()! : query.GetString()!;
            var m = System.Text.RegularExpressions.Regex.Match(text, @"label_values\((?<metric>[^,]+),\s*(?<label>\w+)\)");
            Assert.True(m.Success, $"variable {name}: only label_values(metric, label) queries are understood here, not '{text}'");
            var result = await prometheus.VectorAsync($"count by ({m.Groups["label"].Value}) ({m.Groups["metric"].Value})", TestContext.Current.CancellationToken);
            Assert.True(result.Count > 0, $"variable {name}: its query returns no value");
            values[name] = result.Select(r => r.Labels[m.Groups["label"].Value]).Order(StringComparer.Ordinal).First();
        }
        return values;
    }
}
