using Ebpf.Examples.Bench;
using System.Net;
using Ebpf.Examples.XdpProxy.ControlPlane;
using Ebpf.Examples.XdpProxy.DataPlane;
using Ebpf.Examples.XdpProxy.Lab;
using Ebpf.Examples.XdpProxy.Linux;
using Ebpf.Links;
using Ebpf.Programs;

namespace Ebpf.Examples.XdpProxy.Bench;

public sealed record BenchSettings(int Connections, int Threads, TimeSpan Duration, int Rounds);

/// <summary>One path measured: wrk's figures plus what the balancer and the machine spent on it.</summary>
public sealed record BenchRow(
    string Path,
    double RequestsPerSecond,
    double P50Ms,
    double P99Ms,
    long Requests,
    long Errors,
    double? BalancerCpuMs,
    string BalancerCpuMeasure,
    double MachineCpuUsPerRequest);

/// <summary>
/// The benchmark: wrk in the client namespace against (1) a backend directly, the ceiling; (2) the
/// VIP through xdp_proxy in native and (3) generic mode; (4) the VIP through nginx's stream proxy in
/// the lb namespace, the user-space alternative. Same lab, same wrk settings, one after the other.
/// </summary>
internal sealed class BenchRunner(LabLayout layout, BenchSettings settings, TextWriter log)
{
    /// <summary>Measurements in a run: each of the four paths once per round.</summary>
    public int Steps => settings.Rounds * 4;

    /// <summary>Measures every path; <paramref name="step"/> is told as each measurement starts (for a progress display).</summary>
    public IReadOnlyList<BenchRow> Run(Action<string> step)
    {
        var paths = new (string Name, Func<BenchRow> Measure)[]
        {
            ("direct to backend", Direct),
            ("XDP native", () => Xdp(XdpAttachMode.Native)),
            ("XDP generic", () => Xdp(XdpAttachMode.Generic)),
            ("nginx stream", NginxStream),
        };
        var results = paths.ToDictionary(p => p.Name, _ => new List<BenchRow>());
        // Rounds interleave the paths so a slow minute on the shared machine hits them all alike.
        for (var round = 0; round < settings.Rounds; round++)
            foreach (var (name, measure) in paths)
            {
                step($"round {round + 1}/{settings.Rounds}: {name}");
                var row = measure();
                log.WriteLine($"bench:   {row.RequestsPerSecond:F0} req/s, p50 {row.P50Ms:F2} ms, p99 {row.P99Ms:F2} ms");
                results[name].Add(row);
            }
        // Each column's median over the rounds (the machine is shared: one slow round must not decide).
        return paths.Select(p => Median(results[p.Name])).ToArray();
    }

    private static BenchRow Median(List<BenchRow> rounds)
    {
        double M(Func<BenchRow, double> f) => rounds.Select(f).Order().ElementAt(rounds.Count / 2);
        var cpu = rounds.All(r => r.BalancerCpuMs is not null) ? M(r => r.BalancerCpuMs!.Value) : (double?)null;
        return new BenchRow(rounds[0].Path, M(r => r.RequestsPerSecond), M(r => r.P50Ms), M(r => r.P99Ms),
            (long)M(r => r.Requests), rounds.Sum(r => r.Errors), cpu, rounds[0].BalancerCpuMeasure, M(r => r.MachineCpuUsPerRequest));
    }

    private string VipUrl => $"http://{layout.Vip}:{LabLayout.Port}/";

    private BenchRow Direct() =>
        Measure("direct to backend", $"http://{layout.Backends[0].Address}:{LabLayout.Port}/", () => null, "none (no balancer)");

    private BenchRow Xdp(XdpAttachMode mode)
    {
        var options = new BalancerOptions(LabHost.Interface, layout.Balancer.Netns, layout.Vip, LabLayout.Port,
            layout.Backends.Select(b => new IPEndPoint(b.Address, LabLayout.Port)).ToArray(), mode, null,
            BalancerOptions.DefaultNatPortMin, BalancerOptions.DefaultNatPortMax);
        using var stats = Ebpf.Programs.BpfStats.Enable(); // per-program run time, off again when disposed (or if we die)
        using var balancer = new Balancer(new ProxyDataPlane(), options);
        balancer.Start();
        return Measure($"XDP {mode.ToString().ToLowerInvariant()}", VipUrl,
            () => balancer.Snapshot().ProgramCpuMs, "xdp_proxy run time (BPF_ENABLE_STATS)");
    }

    private BenchRow NginxStream()
    {
        var dir = layout.WorkDir(layout.Balancer);
        var config = NginxConfig.StreamProxy(dir, layout.Vip, LabLayout.Port,
            layout.Backends.Select(b => new IPEndPoint(b.Address, LabLayout.Port)), NginxConfig.FindStreamModule());
        Nginx.Start(layout.Balancer.Netns, dir, config);
        try
        {
            return Measure("nginx stream", VipUrl, () => CpuTime.OfProcesses(NetnsPids(layout.Balancer.Netns)),
                "nginx processes' user+system time");
        }
        finally
        {
            Nginx.Stop(dir);
        }
    }

    private BenchRow Measure(string name, string url, Func<double?> balancerCpuMs, string cpuMeasure)
    {
        // A short warm-up: connections established, caches and the flow table primed.
        Wrk.Run(layout.Client.Netns, url, settings.Connections, settings.Threads, TimeSpan.FromSeconds(1));
        var cpu0 = balancerCpuMs();
        var machine0 = CpuTime.MachineBusy();
        var r = Wrk.Run(layout.Client.Netns, url, settings.Connections, settings.Threads, settings.Duration);
        var machine1 = CpuTime.MachineBusy();
        var cpu1 = balancerCpuMs();
        return new BenchRow(name, r.RequestsPerSecond, r.P50Ms, r.P99Ms, r.Requests, r.Errors,
            cpu0 is null || cpu1 is null ? null : cpu1 - cpu0, cpuMeasure,
            r.Requests == 0 ? 0 : (machine1 - machine0) * 1000 / r.Requests);
    }

    private static IEnumerable<int> NetnsPids(string netns) =>
        Tool.Run("ip", "netns", "pids", netns).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse);
}
