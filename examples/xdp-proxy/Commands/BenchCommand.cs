using System.CommandLine;
using Ebpf.Examples.XdpProxy.Bench;
using Ebpf.Examples.XdpProxy.Lab;
using Spectre.Console;

namespace Ebpf.Examples.XdpProxy.Commands;

/// <summary>`bench`: runs the comparison in the lab (bringing one up, and down again, if none exists).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var prefix = XdpOptions.Prefix();
        var duration = InvariantOptions.Number("--duration", "seconds of each wrk run", 1, 3600, 10);
        var connections = InvariantOptions.Number("--connections", "wrk's open connections", 1, 100_000, 50);
        var threads = InvariantOptions.Number("--threads", "wrk's threads", 1, 1024, 2);
        var rounds = InvariantOptions.Number("--rounds", "medians of N rounds", 1, 1000, 1);
        var outDir = new Option<string?>("--out") { Description = "write xdp-proxy-bench.md and .json there (default: print them)", HelpName = "DIR" };
        var command = new Command("bench", "wrk through XDP native, XDP generic, nginx stream, and straight to a backend, in the lab (brought up and down if none exists)")
        {
            prefix, duration, connections, threads, rounds, outDir,
        };
        command.SetAction(r => Run(r.GetValue(prefix)!, new BenchSettings(r.GetValue(connections), r.GetValue(threads),
            TimeSpan.FromSeconds(r.GetValue(duration)), r.GetValue(rounds)), r.GetValue(outDir)));
        return command;
    }

    private static int Run(string prefix, BenchSettings settings, string? outDir)
    {
        var lab = new LabNetwork(new LabLayout(prefix));
        var ownLab = !lab.Exists;
        if (ownLab)
        {
            Console.Error.WriteLine($"bench: no lab '{lab.Layout.Prefix}', bringing one up for the run");
            lab.Up();
        }
        try
        {
            // Each round's figures go to stderr as they come when there is no progress bar to draw over.
            var runner = new BenchRunner(lab.Layout, settings, Terminal.IsLive ? TextWriter.Null : Console.Error);
            var rows = Terminal.WithProgress("bench", runner.Steps, runner.Run);
            var report = BenchReport.Create(rows, settings, "dotnet run --project examples/xdp-proxy -- " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)));
            AnsiConsole.Write(BenchReport.Table(report));
            if (outDir is { } dir)
            {
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, "xdp-proxy-bench.md"), BenchReport.Markdown(report));
                File.WriteAllText(Path.Combine(dir, "xdp-proxy-bench.json"), BenchReport.Json(report));
                Console.Error.WriteLine($"bench: wrote {Path.Combine(dir, "xdp-proxy-bench.md")} and .json");
            }
            else
                Console.WriteLine(BenchReport.Json(report));
            return 0;
        }
        finally
        {
            if (ownLab)
                lab.Down();
        }
    }
}
