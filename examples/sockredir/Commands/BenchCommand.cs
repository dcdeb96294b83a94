using System.CommandLine;
using Ebpf.Examples.Sockredir.Bench;
using Ebpf.Examples.Sockredir.Redirector;
using Spectre.Console;

namespace Ebpf.Examples.Sockredir.Commands;

/// <summary>`sockredir bench`: one sweep of message sizes, plain and redirected, then a table, JSON and Markdown.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = $"sizes {string.Join(',', BenchOptions.QuickSizes)}, 1 s runs" };
        var sizes = InvariantOptions.NumberList("--sizes", "message sizes in bytes, 1 to 1048576", 1, 1 << 20);
        var seconds = InvariantOptions.OptionalNumber("--seconds", "seconds per throughput run, at least 1: iperf3 takes whole seconds and runs forever on -t 0 (default 3, --quick 1)", 1.0, 3600.0);
        var rounds = InvariantOptions.Number("--rounds", "medians of N interleaved rounds", 1, 1000, 1);
        var noPin = new Option<bool>("--no-pin") { Description = "leave client and server unpinned (default: on two CPUs)" };
        var outDir = new Option<string>("--out") { Description = "where the JSON and Markdown reports go", HelpName = "DIR", DefaultValueFactory = _ => "sockredir-bench" };
        var settings = new RedirectorOptionSet();
        var command = new Command("bench",
            "Plain loopback TCP against redirected TCP, in a namespace and cgroups of its own: iperf3 throughput and request/response " +
            "latency p50/p99 and transactions/s (sockperf; ping-pong below 14 B and above 65,507 B), Nagle on and off; a table, JSON and Markdown.")
        {
            quick, sizes, seconds, rounds, noPin, outDir,
        };
        settings.AddTo(command);
        command.SetAction(r =>
        {
            var isQuick = r.GetValue(quick);
            var s = r.GetValue(seconds) ?? (isQuick ? 1 : 3);
            var placement = r.GetValue(noPin) ? Placement.Unpinned : Placement.CrossCpu();
            var options = new BenchOptions(r.GetValue(sizes) ?? (isQuick ? BenchOptions.QuickSizes : BenchOptions.FullSizes),
                TimeSpan.FromSeconds(s), TimeSpan.FromSeconds(Math.Min(s, 2) / (isQuick ? 2 : 1)), placement, r.GetValue(rounds),
                r.GetValue(outDir)!, "sockredir " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)));
            return Run(options, settings.From(r));
        });
        return command;
    }

    private static int Run(BenchOptions options, RedirectorOptions settings)
    {
        var (sizes, placement) = (options.Sizes, options.Placement);
        using var redirector = new SocketRedirector(settings);
        Console.WriteLine($"sockredir bench: {sizes.Count} sizes, plain loopback TCP then redirected for each, {placement.Describe()}");
        var runner = new BenchRunner(redirector, options);
        var report = Terminal.WithProgress("sockredir bench", runner.Steps, runner.Run);

        Console.WriteLine();
        AnsiConsole.Write(BenchFormat.Tables(report));
        Console.WriteLine("x: redirected relative to plain (for latency: plain p50 / redirected p50), higher is better, the median of the rounds' ratios;");
        Console.WriteLine("latency is the round trip; -N: TCP_NODELAY;");
        Console.WriteLine("redir %: share of the redirected runs' bytes the program redirected (the rest went to TCP: streams of small writes are demoted).");
        Directory.CreateDirectory(options.OutDir);
        var stem = Path.Combine(options.OutDir, $"sockredir-bench-{report.StartedUtc:yyyyMMdd-HHmmss}");
        File.WriteAllText(stem + ".json", BenchFormat.Json(report));
        File.WriteAllText(stem + ".md", BenchFormat.Markdown(report));
        Console.WriteLine($"written: {stem}.json, {stem}.md");
        if (report.Sizes.Any(s => !s.WasRedirected))
            return AppCli.Fail("sockredir", "some redirected runs moved no byte through the program (marked in the table): their figures are plain TCP's");
        return 0;
    }
}
