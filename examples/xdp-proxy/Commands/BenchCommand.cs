using Ebpf.Examples.XdpProxy.Bench;
using Ebpf.Examples.XdpProxy.Lab;

namespace Ebpf.Examples.XdpProxy.Commands;

/// <summary>`bench`: runs the comparison in the lab (bringing one up, and down again, if none exists).</summary>
internal static class BenchCommand
{
    public static int Run(Args a)
    {
        var settings = new BenchSettings(
            a.Int("--connections", 50), a.Int("--threads", 2), TimeSpan.FromSeconds(a.Int("--duration", 10)), a.Int("--rounds", 1));
        if (settings.Connections < 1 || settings.Threads < 1 || settings.Duration < TimeSpan.FromSeconds(1) || settings.Rounds < 1)
            throw new UsageException("--connections, --threads, --duration and --rounds want positive numbers");
        var lab = new LabNetwork(new LabLayout(a.Option("--prefix") ?? LabLayout.DefaultPrefix));
        var ownLab = !lab.Exists;
        if (ownLab)
        {
            Console.Error.WriteLine($"bench: no lab '{lab.Layout.Prefix}', bringing one up for the run");
            lab.Up();
        }
        try
        {
            var rows = new BenchRunner(lab.Layout, settings, Console.Error).Run();
            var report = BenchReport.Create(rows, settings, "dotnet run --project examples/xdp-proxy -- " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)));
            var markdown = BenchReport.Markdown(report);
            Console.Write(markdown);
            if (a.Option("--out") is { } dir)
            {
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, "xdp-proxy-bench.md"), markdown);
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
