using System.Globalization;
using Ebpf.Examples.Sockredir.Bench;
using Ebpf.Examples.Sockredir.Redirector;

namespace Ebpf.Examples.Sockredir.Commands;

/// <summary>`sockredir bench`: one sweep of message sizes, plain and redirected, then a table, JSON and Markdown.</summary>
internal static class BenchCommand
{
    public static int Run(Args a)
    {
        var quick = a.Flag("--quick");
        var sizes = a.Option("--sizes") is { } list
            ? list.Split(',').Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v is > 0 and <= 1 << 20
                ? v : throw new UsageException($"--sizes: '{s}' is not a size from 1 to 1048576")).ToArray()
            : quick ? BenchOptions.QuickSizes : BenchOptions.FullSizes;
        var seconds = a.Double("--seconds", quick ? 1 : 3);
        var rounds = a.Int("--rounds", 1);
        if (rounds < 1)
            throw new UsageException("--rounds: at least 1");
        var placement = a.Flag("--no-pin") ? Placement.Unpinned : Placement.CrossCpu();
        var options = new BenchOptions(sizes, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(Math.Min(seconds, 2) / (quick ? 2 : 1)), placement,
            rounds,
            a.Option("--out") ?? "sockredir-bench", "sockredir " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)));

        using var redirector = new SocketRedirector(RedirectorArgs.From(a));
        Console.WriteLine($"sockredir bench: {sizes.Length} sizes, plain loopback TCP then redirected for each, {placement.Describe()}");
        var report = new BenchRunner(redirector, options, Console.Out).Run();

        Console.WriteLine();
        Console.Write(BenchFormat.Table(report));
        Console.WriteLine("x: redirected relative to plain (for latency: plain p50 / redirected p50), higher is better, the median of the rounds' ratios;");
        Console.WriteLine("latency is the round trip; -N: TCP_NODELAY;");
        Console.WriteLine("redir %: share of the redirected runs' bytes the program redirected (the rest went to TCP: streams of small writes are demoted).");
        Directory.CreateDirectory(options.OutDir);
        var stem = Path.Combine(options.OutDir, $"sockredir-bench-{report.StartedUtc:yyyyMMdd-HHmmss}");
        File.WriteAllText(stem + ".json", BenchFormat.Json(report));
        File.WriteAllText(stem + ".md", BenchFormat.Markdown(report));
        Console.WriteLine($"written: {stem}.json, {stem}.md");
        if (report.Sizes.Any(s => !s.WasRedirected))
            return CommandLine.Fail("some redirected runs moved no byte through the program (marked in the table): their figures are plain TCP's");
        return 0;
    }
}
