using System.Diagnostics;
using Ebpf.Examples.Tcptop.Accounting;
using Ebpf.Examples.Tcptop.Cgroups;
using Ebpf.Examples.Tcptop.Export;
using Ebpf.Examples.Tcptop.Kernel;
using Ebpf.Programs;

namespace Ebpf.Examples.Tcptop.Bench;

/// <summary>
/// `tcptop bench`: what tcptop costs the traffic it watches. Each round measures iperf3 at 64 B (TCP_NODELAY) and at
/// 128 KiB, and sockperf at 64 B, once without and once with the programs attached (the order alternating between
/// rounds), run statistics off. Then, with BPF_ENABLE_STATS on, the programs' run time per run during iperf3 (tcptop's
/// programs alone and the empty floor programs alone, alternating, medians); and the time of a scrape of `export` with
/// 500 per-process series.
/// </summary>
internal static class OverheadBench
{
    private const int BasePort = 35201, CostPort = 35001;

    public static BenchResults Run(string command, int rounds, TimeSpan seconds, bool pin, int series, Action<string> log, CancellationToken stop)
    {
        using var lab = new BenchLab(pin);
        var results = new List<BenchRound>();
        for (var i = 0; i < rounds && !stop.IsCancellationRequested; i++)
        {
            TrafficFigures? without = null, with = null;
            foreach (var attached in i % 2 == 0 ? new[] { false, true } : [true, false])
            {
                var figures = Measure(lab, attached, seconds, i);
                log($"round {i + 1}/{rounds} {(attached ? "with" : "without")} tcptop: 64 B {figures.SmallWritesBitsPerSecond / 1e6:0} Mbit/s, " +
                    $"128 KiB {figures.LargeWritesBitsPerSecond / 1e9:0.00} Gbit/s, p50 {figures.P50Microseconds:0.0} us, p99 {figures.P99Microseconds:0.0} us, " +
                    $"bench process CPU {figures.BenchCpuMilliseconds:0} ms");
                if (attached)
                    with = figures;
                else
                    without = figures;
            }
            results.Add(new BenchRound(without!, with!));
        }
        var costs = EventCosts(lab, rounds, seconds);
        log("per event: " + string.Join(", ", costs.Select(c => $"{c.Program} {c.NanosecondsPerRun:0} ns x {c.Runs}")));
        var scrape = Scrape(series);
        log($"scrape of {scrape.Series} series: median {scrape.MedianMilliseconds:0.0} ms, max {scrape.MaxMilliseconds:0.0} ms");
        return new BenchResults(command, DateTime.UtcNow, lab.Pin, seconds.TotalSeconds, results, costs, scrape);
    }

    private static TrafficFigures Measure(BenchLab lab, bool attached, TimeSpan seconds, int round)
    {
        using var tracer = attached ? new TcpTracer(new TracerOptions()) : null;
        var port = BasePort + round * 10 + (attached ? 5 : 0);
        var (small, cpuSmall) = TrafficTools.Iperf3(lab, port, 64, noDelay: true, seconds);
        var (large, cpuLarge) = TrafficTools.Iperf3(lab, port + 1, 128 * 1024, noDelay: false, seconds);
        var (p50, p99, cpuLatency) = TrafficTools.Sockperf(lab, port + 2, 64, seconds);
        return new TrafficFigures(small, large, p50, p99, (cpuSmall + cpuLarge + cpuLatency).TotalMilliseconds);
    }

    // tcptop's programs and the empty floor programs (Bench/hook_floor.bpf.c), each attached alone during its own iperf3
    // run, alternating, `rounds` runs each; medians. Alone, because programs stacked on one hook do not cost the same:
    // the first one pays for what the hook touches first (measured here: 80 ns for an empty program attached first,
    // 28 ns for the same program attached after others), and tcptop runs alone on a node.
    private static IReadOnlyList<EventCost> EventCosts(BenchLab lab, int rounds, TimeSpan seconds)
    {
        var samples = new Dictionary<string, List<(ulong Runs, double Ns)>>();
        for (var i = 0; i < Math.Max(1, rounds); i++)
        {
            foreach (var floorRun in i % 2 == 0 ? new[] { false, true } : [true, false])
            {
                if (floorRun)
                {
                    using var floor = HookFloorSkel.Open();
                    floor.Load();
                    using var send = floor.Programs.FloorSend.Attach();
                    using var recv = floor.Programs.FloorRecv.Attach();
                    Sample(lab, CostPort + 2 * i + 1, seconds, [("floor send", floor.Programs.FloorSend), ("floor recv", floor.Programs.FloorRecv)], samples);
                }
                else
                {
                    using var tracer = new TcpTracer(new TracerOptions());
                    Sample(lab, CostPort + 2 * i, seconds, [.. tracer.Programs], samples);
                }
            }
        }
        return samples.Select(s =>
        {
            var median = s.Value.OrderBy(x => x.Ns).ElementAt(s.Value.Count / 2);
            return new EventCost(s.Key, median.Runs, median.Ns);
        }).ToArray();
    }

    private static void Sample(BenchLab lab, int port, TimeSpan seconds, (string Name, BpfProgram Program)[] programs, Dictionary<string, List<(ulong, double)>> samples)
    {
        using var stats = BpfStats.Enable();
        var before = programs.Select(p => p.Program.RunStatistics).ToArray();
        TrafficTools.Iperf3(lab, port, 64, noDelay: true, seconds);
        for (var i = 0; i < programs.Length; i++)
        {
            var (runs, time) = programs[i].Program.RunStatistics;
            var (runs0, time0) = before[i];
            var n = runs - runs0;
            if (!samples.TryGetValue(programs[i].Name, out var list))
                samples[programs[i].Name] = list = [];
            list.Add((n, n == 0 ? 0 : (time - time0).TotalNanoseconds / n));
        }
    }

    private static ScrapeCost Scrape(int series)
    {
        using var tracer = new TcpTracer(new TracerOptions());
        var names = new CgroupNames();
        tracer.AddSyntheticProcesses(series, names.IdOf("/"));
        var port = FreePort();
        using var exporter = new MetricsExporter(tracer, names, new ExportOptions { Host = "127.0.0.1", Port = port, MaxSeries = series + 10, Labels = LabelChoice.Parse("comm,cgroup,pid") });
        using var http = new HttpClient();
        var times = new List<double>();
        var seen = 0;
        for (var i = 0; i < 21; i++)
        {
            var watch = Stopwatch.StartNew();
            var text = http.GetStringAsync($"http://127.0.0.1:{port}/metrics").GetAwaiter().GetResult();
            watch.Stop();
            if (i == 0)
            {
                seen = text.Split('\n').Count(l => l.StartsWith("tcptop_sent_bytes_total{", StringComparison.Ordinal));
                continue; // the first scrape creates every series: measured apart from the steady state
            }
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        if (seen < series)
            throw new ToolException($"the scrape showed {seen} per-process series, expected at least {series}");
        times.Sort();
        return new ScrapeCost(seen, times[times.Count / 2], times[^1], times.Count);
    }

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}
