using System.Text.Json;
using System.Text.RegularExpressions;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// `tcptop bench` at its shortest (one round of two-second runs: with one second, sockperf's 400 ms warm-up left it
/// with no observation at all in one run on this loaded machine) runs to the end with the real iperf3 and sockperf and
/// gives every figure issue 15 asks for: the 64 B and 128 KiB throughput ratios, sockperf p50 and p99, the BPF time
/// per event and the time of a 500-series scrape. Only that each figure is there and is a positive, finite number:
/// what the figures are worth is for docs/benchmarks.md, not for a test on a shared machine.
/// </summary>
[Collection(TcptopCollection.Name)]
public sealed partial class TcptopBenchSmokeTests
{
    [GeneratedRegex(@"-?[0-9]+(\.[0-9]+)?")]
    private static partial Regex Number();

    [Fact]
    public void TheShortestBenchGivesEveryFigure()
    {
        Kernel.RequireRoot();
        var dir = Directory.CreateTempSubdirectory("tcptop-bench-");
        try
        {
            using var bench = new AppRun("tcptop.dll", "bench", "--rounds", "1", "--seconds", "2", "--series", "500", "--out", dir.FullName);
            Assert.True(bench.WaitForExit(TimeSpan.FromMinutes(5)), $"tcptop bench did not finish:\n{bench.Transcript}");
            Assert.True(bench.ExitCode == 0, $"tcptop bench: exit {bench.ExitCode}\n{bench.Transcript}");

            // The printed table: a row for each figure, with a number in it.
            foreach (var row in new[] { "| iperf3 64 B writes", "| iperf3 128 KiB writes", "| sockperf 64 B round trip p50", "| sockperf 64 B round trip p99", "| BPF time per counted socket call", "| a scrape of " })
            {
                var line = bench.LineWith(row);
                Assert.True(line is not null, $"no '{row}' row in:\n{bench.Transcript}");
                Assert.True(line.Split('|')[2..].Any(cell => Number().IsMatch(cell)), $"no figure in '{line}'"); // cells after the name
            }

            // The same figures from bench.json.
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.FullName, "bench.json")));
            var r = json.RootElement;
            Positive(r, "small_ratio");
            Positive(r, "large_ratio");
            Positive(r, "small_without");
            Positive(r, "large_without");
            Positive(r, "p50_without");
            Positive(r, "p99_without");
            var round = Assert.Single(r.GetProperty("rounds").EnumerateArray());
            foreach (var side in new[] { "without", "with" })
                foreach (var figure in new[] { "small_writes_bits_per_second", "large_writes_bits_per_second", "p50_microseconds", "p99_microseconds" })
                    Positive(round.GetProperty(side), figure);
            Assert.True(double.IsFinite(r.GetProperty("p50_delta").GetDouble()) && double.IsFinite(r.GetProperty("p99_delta").GetDouble()));
            Positive(r, "nanoseconds_per_event");
            var costs = r.GetProperty("event_costs").EnumerateArray().ToDictionary(c => c.GetProperty("program").GetString()!);
            foreach (var program in new[] { "send", "recv" })
            {
                Assert.True(costs.ContainsKey(program), $"no per-event cost for '{program}': {string.Join(", ", costs.Keys)}");
                Assert.True(costs[program].GetProperty("runs").GetUInt64() > 0, $"'{program}' never ran while iperf3 did");
                Positive(costs[program], "nanoseconds_per_run");
            }
            var scrape = r.GetProperty("scrape");
            Assert.True(scrape.GetProperty("series").GetInt32() >= 500, scrape.ToString());
            Positive(scrape, "median_milliseconds");
            Positive(scrape, "max_milliseconds");
            Assert.True(File.Exists(Path.Combine(dir.FullName, "bench.md")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static void Positive(JsonElement e, string name)
    {
        Assert.True(e.TryGetProperty(name, out var v), $"no '{name}' in {e}");
        var d = v.GetDouble();
        Assert.True(double.IsFinite(d) && d > 0, $"{name} = {d}");
    }
}
