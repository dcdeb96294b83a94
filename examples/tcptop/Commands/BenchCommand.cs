using System.CommandLine;
using System.Text.Json;
using Ebpf.Examples.Tcptop.Bench;

namespace Ebpf.Examples.Tcptop.Commands;

/// <summary>`tcptop bench`: the overhead measurement (docs/benchmarks.md).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var rounds = CommonOptions.Positive("--rounds", 3, "Rounds of with/without measurements; figures are medians of each round's own ratio");
        var seconds = CommonOptions.Positive("--seconds", 5, "Seconds per iperf3/sockperf run");
        var series = CommonOptions.Positive("--series", 500, "Per-process series in the scrape measurement");
        var noPin = new Option<bool>("--no-pin") { Description = "Do not pin the client and server to CPUs 0 and 1" };
        var output = new Option<string?>("--out") { Description = "Also write bench.json and bench.md into this directory", HelpName = "DIR" };
        var command = new Command("bench", "What tcptop costs: iperf3 and sockperf with and without its programs, per-event run time, scrape time") { rounds, seconds, series, noPin, output };
        command.SetAction(p =>
        {
            using var session = new Session();
            var line = "tcptop bench " + string.Join(' ', p.Tokens.Select(t => t.Value).SkipWhile(t => t == "bench"));
            var results = OverheadBench.Run(line.Trim(), p.GetValue(rounds), TimeSpan.FromSeconds(p.GetValue(seconds)), !p.GetValue(noPin), p.GetValue(series),
                m => Console.WriteLine($"tcptop bench: {m}"), session.Token);
            var markdown = BenchFormat.Markdown(results);
            Console.WriteLine();
            Console.WriteLine(markdown);
            if (p.GetValue(output) is { } dir)
            {
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, "bench.json"), JsonSerializer.Serialize(results, BenchJsonContext.Default.BenchResults));
                File.WriteAllText(Path.Combine(dir, "bench.md"), markdown);
            }
            return 0;
        });
        return command;
    }
}
