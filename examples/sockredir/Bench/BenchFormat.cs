using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ebpf.Examples.Sockredir.Bench;

/// <summary>
/// The report as console tables, Markdown and JSON. Figures are medians of rounds; ratios (x) are redirected / plain
/// (latency: plain / redirected, so higher is better everywhere), the median of the rounds' own ratios.
/// </summary>
internal static class BenchFormat
{
    // Throughput: iperf3 Mbit/s, Nagle on, then -N. Latency: round trip in us, Nagle on, then TCP_NODELAY (-N);
    // "lat by" names the request/response tool of the row; tps are exchanges per second with TCP_NODELAY; "redir %": share
    // of the redirected runs' bytes that the program redirected (the rest it handed to TCP: demoted small writes).
    private static readonly string[] Header =
    [
        "size", "redir %", "Mbit/s plain", "redir", "x", "-N plain", "redir", "x",
        "lat by", "p50 us plain", "redir", "x", "p99 plain", "redir",
        "-N p50 plain", "redir", "x", "-N p99 plain", "redir", "-N tps plain", "redir", "x",
    ];

    /// <summary>Where the latency columns start in <see cref="Header"/>: the console shows them as a second table.</summary>
    private const int LatencyFrom = 8;

    /// <summary>
    /// The report for the terminal (Spectre.Console): throughput and latency as two tables, each row starting with the
    /// size, so that the 22 columns fit a terminal.
    /// </summary>
    public static IRenderable Tables(BenchReport r)
    {
        var rows = Rows(r).ToList();
        int[] throughput = [.. Enumerable.Range(0, LatencyFrom)];
        int[] latency = [0, .. Enumerable.Range(LatencyFrom, Header.Length - LatencyFrom)];
        return new Rows(Part("throughput, Mbit/s (iperf3)", throughput, rows), Part("latency, round trip", latency, rows));
    }

    private static Table Part(string title, int[] columns, List<string[]> rows)
    {
        var table = new Table().Border(TableBorder.Simple).Title(title);
        foreach (var i in columns)
            table.AddColumn(i == 0 ? new TableColumn(Header[i]) : Terminal.Figure(Header[i]));
        foreach (var row in rows)
            table.AddRow(columns.Select(i => Markup.Escape(row[i])).ToArray());
        return table;
    }

    public static string Markdown(BenchReport r)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"`{r.Command}`, {r.StartedUtc:yyyy-MM-dd HH:mm} UTC, Linux {r.Kernel}, {r.Cpus} CPUs; " +
                      $"{r.Placement}; {(r.Rounds > 1 ? $"median of {r.Rounds} interleaved rounds; " : "")}iperf3 {r.SecondsPerThroughputRun:0.#} s per run, request/response {r.SecondsPerLatencyRun:0.#} s per run.");
        sb.AppendLine();
        sb.AppendLine("| " + string.Join(" | ", Header) + " |");
        sb.AppendLine("|" + string.Concat(Header.Select((_, i) => i == 0 ? "---|" : "---:|")));
        foreach (var row in Rows(r))
            sb.AppendLine("| " + string.Join(" | ", row) + " |");
        return sb.ToString();
    }

    public static string Json(BenchReport r) =>
        JsonSerializer.Serialize(r, SockredirJson.Default.BenchReport);

    private static IEnumerable<string[]> Rows(BenchReport r) => r.Sizes.Select(s => new[]
    {
        SizeLabel(s.Size) + (s.WasRedirected ? "" : " (not redirected!)"),
        (s.RedirectedShare * 100).ToString("0.0", CultureInfo.InvariantCulture),
        F(s.Plain.ThroughputGbps * 1000), F(s.Redirected.ThroughputGbps * 1000), X(s.Ratios.Throughput),
        F(s.Plain.ThroughputNoDelayGbps * 1000), F(s.Redirected.ThroughputNoDelayGbps * 1000), X(s.Ratios.ThroughputNoDelay),
        s.Plain.Latency.Tool,
        F(s.Plain.Latency.P50Micros), F(s.Redirected.Latency.P50Micros), X(s.Ratios.P50),
        F(s.Plain.Latency.P99Micros), F(s.Redirected.Latency.P99Micros),
        F(s.Plain.LatencyNoDelay.P50Micros), F(s.Redirected.LatencyNoDelay.P50Micros), X(s.Ratios.P50NoDelay),
        F(s.Plain.LatencyNoDelay.P99Micros), F(s.Redirected.LatencyNoDelay.P99Micros),
        s.Plain.LatencyNoDelay.TransactionsPerSecond.ToString("0", CultureInfo.InvariantCulture),
        s.Redirected.LatencyNoDelay.TransactionsPerSecond.ToString("0", CultureInfo.InvariantCulture),
        X(s.Ratios.TpsNoDelay),
    });

    private static string SizeLabel(int size) => size switch
    {
        >= 1 << 20 when size % (1 << 20) == 0 => $"{size >> 20} MiB",
        _ => size.ToString(CultureInfo.InvariantCulture),
    };

    private static string F(double v) => v switch
    {
        >= 100 => v.ToString("0", CultureInfo.InvariantCulture),
        >= 10 => v.ToString("0.0", CultureInfo.InvariantCulture),
        _ => v.ToString("0.00", CultureInfo.InvariantCulture),
    };

    private static string X(double ratio) => ratio > 0 ? ratio.ToString("0.00", CultureInfo.InvariantCulture) : "-";
}
