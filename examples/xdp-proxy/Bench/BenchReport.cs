using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ebpf.Examples.XdpProxy.Bench;

public sealed record BenchReportData(
    string Date, string Kernel, int Cpus, string Command, int Connections, int Threads, double DurationSeconds, int Rounds,
    BenchRow[] Rows, double XdpNativeOverNginxStream, bool XdpNativeP99Lower);

[JsonSerializable(typeof(BenchReportData))]
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class BenchJson : JsonSerializerContext;

/// <summary>The benchmark's one table, as Markdown and as JSON.</summary>
internal static class BenchReport
{
    public static BenchReportData Create(IReadOnlyList<BenchRow> rows, BenchSettings s, string command)
    {
        var native = rows.Single(r => r.Path == "XDP native");
        var nginx = rows.Single(r => r.Path == "nginx stream");
        return new BenchReportData(
            DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
            Environment.ProcessorCount, command, s.Connections, s.Threads, s.Duration.TotalSeconds, s.Rounds,
            rows.ToArray(),
            nginx.RequestsPerSecond == 0 ? 0 : native.RequestsPerSecond / nginx.RequestsPerSecond,
            native.P99Ms < nginx.P99Ms);
    }

    public static string Json(BenchReportData d) => JsonSerializer.Serialize(d, BenchJson.Default.BenchReportData);

    public static string Markdown(BenchReportData d)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"`{d.Command}` — {d.Date}, Linux {d.Kernel}, {d.Cpus} CPUs, wrk -t{d.Threads} -c{d.Connections} " +
                      $"-d{d.DurationSeconds:F0}s keep-alive, " +
                      $"{d.Rounds} interleaved round(s), median of each column (errors: sum)");
        sb.AppendLine();
        sb.AppendLine("| path | req/s | p50 ms | p99 ms | errors | balancer CPU ms | balancer CPU µs/req | machine CPU µs/req |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in d.Rows)
        {
            var perReq = r.BalancerCpuMs is { } ms && r.Requests > 0 ? (ms * 1000 / r.Requests).ToString("F2", CultureInfo.InvariantCulture) : "–";
            var cpu = r.BalancerCpuMs is { } c ? c.ToString("F0", CultureInfo.InvariantCulture) : "–";
            sb.AppendLine(FormattableString.Invariant(
                $"| {r.Path} | {r.RequestsPerSecond:F0} | {r.P50Ms:F2} | {r.P99Ms:F2} | {r.Errors} | {cpu} | {perReq} | {r.MachineCpuUsPerRequest:F1} |"));
        }
        sb.AppendLine();
        sb.AppendLine(FormattableString.Invariant(
            $"XDP native / nginx stream: {d.XdpNativeOverNginxStream:F2}x req/s; p99 {(d.XdpNativeP99Lower ? "lower" : "NOT lower")} than nginx stream. "));
        sb.AppendLine("Balancer CPU: for XDP the program's own run time (BPF_ENABLE_STATS), which leaves out the veth driver and " +
                      "softirq work around it; for nginx its processes' user+system time. Machine CPU covers everything (client, " +
                      "balancer, backends, softirqs) per request and is the fairer comparison, but it is read from /proc/stat and so also " +
                      "counts whatever else the machine ran meanwhile.");
        return sb.ToString();
    }
}
