using System.Globalization;
using System.Text;
using Ebpf.Examples.Bench;
using Ebpf.Examples.MeshAccel.Agent;
using Ebpf.Examples.MeshAccel.Lab;
using Ebpf.Examples.MeshAccel.Linux;

namespace Ebpf.Examples.MeshAccel.Bench;

/// <summary>One way pod0's requests reach pod1's app.</summary>
internal sealed record BenchPath(string Name, LabMode Mode, bool Intercept, bool Splice);

/// <summary>What wrk measured on one path and variant, with the machine's CPU time per request.</summary>
internal sealed record BenchCell(string Path, string Variant, WrkResult Wrk, double CpuUsPerRequest);

/// <summary>
/// `mesh-accel bench`: wrk from pod0 to pod1's app in the lab, keep-alive and a new connection per request, through four
/// paths: no mesh (the ceiling: straight to the app), istio-iptables, mesh-accel redirecting without splicing, and
/// mesh-accel with sk_msg splicing. Each path gets a fresh lab; the two meshed hops (pod0's and pod1's HAProxy) are the
/// same in the three meshed paths, so the differences are interception and splicing.
/// </summary>
internal static class MeshBench
{
    public static readonly BenchPath[] Paths =
    [
        new("no mesh", LabMode.Ebpf, Intercept: false, Splice: false),
        new("iptables", LabMode.Iptables, Intercept: false, Splice: false),
        new("mesh-accel, no splicing", LabMode.Ebpf, Intercept: true, Splice: false),
        new("mesh-accel, spliced", LabMode.Ebpf, Intercept: true, Splice: true),
    ];

    public static readonly (string Name, string[] Args)[] Variants =
    [
        ("keep-alive", []),
        ("new connection", ["-H", "Connection: close"]),
    ];

    public static IReadOnlyList<BenchCell> Run(string prefix, TimeSpan duration, int connections, int threads, Action<string> log)
    {
        var cells = new List<BenchCell>();
        foreach (var path in Paths)
        {
            var layout = new LabLayout($"{prefix}-{Array.IndexOf(Paths, path)}", 2, Cgroups.Root());
            var lab = new MeshLab(layout);
            var pins = new PinLayout($"/sys/fs/bpf/{layout.Prefix}");
            MeshDataPlane? plane = null;
            try
            {
                lab.Up(path.Mode);
                if (path.Intercept)
                {
                    plane = MeshDataPlane.Install(layout.MeshCgroup, pins, path.Splice, new RunningKernel());
                    new PodMapSync(plane.Skel, _ => { }).Apply(layout.Pods.Select(p => p.ToPod()).ToArray());
                }
                var pod0 = layout.Pod("pod0");
                var url = $"http://{layout.Pod("pod1").Ipv4}/";
                foreach (var (variant, args) in Variants)
                {
                    Wrk.Run(pod0.Cgroup, pod0.Netns, url, connections, threads, TimeSpan.FromSeconds(2), args); // warm-up
                    var busy0 = CpuTime.MachineBusy();
                    var r = Wrk.Run(pod0.Cgroup, pod0.Netns, url, connections, threads, duration, args);
                    var busy1 = CpuTime.MachineBusy();
                    if (r.Errors > 0)
                        log($"warning: {path.Name}, {variant}: {r.Errors} errors");
                    var cell = new BenchCell(path.Name, variant, r, (busy1 - busy0) * 1000 / Math.Max(1, r.Requests));
                    cells.Add(cell);
                    log($"{path.Name,-24} {variant,-15} {r.RequestsPerSecond,10:N0} req/s  p50 {r.P50Ms:0.000} ms  p99 {r.P99Ms:0.000} ms  {cell.CpuUsPerRequest:0.0} us CPU/request");
                }
            }
            finally
            {
                plane?.Dispose();
                MeshDataPlane.Uninstall(pins);
                lab.Down();
            }
        }
        return cells;
    }

    /// <summary>The results as a Markdown table with each path's ratios against iptables, the same run.</summary>
    public static string Markdown(IReadOnlyList<BenchCell> cells, string command)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"`{command}`, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} CPUs, Linux {Environment.OSVersion.Version}.");
        sb.AppendLine();
        sb.AppendLine("| path | variant | req/s | p50 ms | p99 ms | CPU us/request | req/s vs iptables | p50 vs iptables | p99 vs iptables |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var c in cells)
        {
            var baseline = cells.Single(b => b.Path == "iptables" && b.Variant == c.Variant);
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {c.Path} | {c.Variant} | {c.Wrk.RequestsPerSecond:N0} | {c.Wrk.P50Ms:0.000} | {c.Wrk.P99Ms:0.000} | {c.CpuUsPerRequest:0.0} | " +
                $"{c.Wrk.RequestsPerSecond / baseline.Wrk.RequestsPerSecond:0.00}x | {c.Wrk.P50Ms / baseline.Wrk.P50Ms:0.00}x | {c.Wrk.P99Ms / baseline.Wrk.P99Ms:0.00}x |"));
        }
        return sb.ToString();
    }
}
