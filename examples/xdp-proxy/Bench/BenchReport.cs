using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ebpf.Examples.XdpProxy.Bench;

public sealed record BenchReportData(
    string Date, string Kernel, int Cpus, string Command, int Connections, int Threads, double DurationSeconds, int Rounds,
    BenchRow[] Rows, double XdpNativeOverNginxStream, bool XdpNativeP99Lower);

[JsonSerializable(typeof(BenchReportData))]
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class BenchJson : JsonSerializerContext;

/// <summary>The benchmark's one table, for the terminal, as Markdown and as JSON.</summary>
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

    private static readonly string[] Header =
        ["path", "req/s", "p50 ms", "p99 ms", "errors", "balancer CPU ms", "balancer CPU µs/req", "machine CPU µs/req"];

    /// <summary>The table for the terminal (Spectre.Console), with the same figures as the Markdown.</summary>
    public static IRenderable Table(BenchReportData d)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumn(Header[0]);
        foreach (var h in Header.Skip(1))
            table.AddColumn(new TableColumn(h).RightAligned());
        foreach (var r in d.Rows)
            table.AddRow(Cells(r).Select(Markup.Escape).ToArray());
        return new Rows(new Text(Settings(d)), table, new Text(Ratio(d)));
    }

    public static string Markdown(BenchReportData d)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Settings(d));
        sb.AppendLine();
        sb.AppendLine("| " + string.Join(" | ", Header) + " |");
        sb.AppendLine("|---|" + string.Concat(Header.Skip(1).Select(_ => "---:|")));
        foreach (var r in d.Rows)
            sb.AppendLine("| " + string.Join(" | ", Cells(r)) + " |");
        sb.AppendLine();
        sb.AppendLine(Ratio(d) + " ");
        sb.AppendLine("Balancer CPU: for XDP the program's own run time (BPF_ENABLE_STATS), which leaves out the veth driver and " +
                      "softirq work around it; for nginx its processes' user+system time. Machine CPU covers everything (client, " +
                      "balancer, backends, softirqs) per request and is the fairer comparison, but it is read from /proc/stat and so also " +
                      "counts whatever else the machine ran meanwhile.");
        return sb.ToString();
    }

    private static string Settings(BenchReportData d) =>
        $"`{d.Command}` — {d.Date}, Linux {d.Kernel}, {d.Cpus} CPUs, wrk -t{d.Threads} -c{d.Connections} " +
        string.Create(CultureInfo.InvariantCulture, $"-d{d.DurationSeconds:F0}s keep-alive, ") +
        $"{d.Rounds} interleaved round(s), median of each column (errors: sum)";

    private static string Ratio(BenchReportData d) => FormattableString.Invariant(
        $"XDP native / nginx stream: {d.XdpNativeOverNginxStream:F2}x req/s; p99 {(d.XdpNativeP99Lower ? "lower" : "NOT lower")} than nginx stream.");

    private static string[] Cells(BenchRow r)
    {
        var perReq = r.BalancerCpuMs is { } ms && r.Requests > 0 ? (ms * 1000 / r.Requests).ToString("F2", CultureInfo.InvariantCulture) : "–";
        var cpu = r.BalancerCpuMs is { } c ? c.ToString("F0", CultureInfo.InvariantCulture) : "–";
        return
        [
            r.Path, Invariant($"{r.RequestsPerSecond:F0}"), Invariant($"{r.P50Ms:F2}"), Invariant($"{r.P99Ms:F2}"), Invariant($"{r.Errors}"),
            cpu, perReq, Invariant($"{r.MachineCpuUsPerRequest:F1}"),
        ];
    }

    private static string Invariant(FormattableString s) => FormattableString.Invariant(s);
}
