using System.Globalization;
using System.Text;
using Ebpf.Examples.Bench;
using Ebpf.Examples.MeshAccel.Agent;
using Ebpf.Examples.MeshAccel.Lab;
using Ebpf.Examples.MeshAccel.Linux;
using Ebpf.Examples.MeshAccel.Mesh;

namespace Ebpf.Examples.MeshAccel.Bench;

/// <summary>
/// One way pod0's requests reach pod1's app: <paramref name="Iptables"/> installs istio-iptables' rules in the meshed pods,
/// <paramref name="Intercept"/> installs mesh-accel (splicing with <paramref name="Splice"/>, under the policy
/// <paramref name="UnspliceAfter"/>: see <see cref="SplicePolicy"/>).
/// </summary>
internal sealed record BenchPath(string Name, bool Iptables, bool Intercept, bool Splice, uint UnspliceAfter = SplicePolicy.DefaultUnspliceAfter);

/// <summary>One wrk run: what it measured, the machine's and the lab's CPU per request, and the messages spliced (sk_msg
/// redirects) per request: about 6 when all three hops are spliced (a request and a response on each).</summary>
internal sealed record BenchSample(WrkResult Wrk, double MachineCpuUsPerRequest, double LabCpuUsPerRequest, double SplicedMessagesPerRequest);

/// <summary>A path and variant over every round: the medians, and the medians of the per-round ratios against iptables.</summary>
internal sealed record BenchCell(string Path, string Variant, IReadOnlyList<BenchSample> Samples)
{
    public double Median(Func<BenchSample, double> f) => MeshBench.Median(Samples.Select(f));
}

/// <summary>
/// `mesh-accel bench`: wrk from pod0 to pod1's app in one lab, keep-alive and a new connection per request, through five
/// paths: no mesh (the ceiling: straight to the app), istio-iptables, mesh-accel redirecting without splicing, mesh-accel
/// with splicing (its default policy), and mesh-accel splicing every connection. The paths take turns within each round
/// (the lab stays; rules or programs are installed and removed around each path), the order rotating from round to round,
/// so load from elsewhere on the machine falls on every path alike; the report gives medians over the rounds. The two
/// meshed hops (pod0's and pod1's HAProxy) are the same in every meshed path, so the differences are interception and
/// splicing.
/// </summary>
internal static class MeshBench
{
    public static readonly BenchPath[] Paths =
    [
        new("no mesh", Iptables: false, Intercept: false, Splice: false),
        new("iptables", Iptables: true, Intercept: false, Splice: false),
        new("mesh-accel, no splicing", Iptables: false, Intercept: true, Splice: false),
        new("mesh-accel, spliced", Iptables: false, Intercept: true, Splice: true),
        new("mesh-accel, spliced every connection", Iptables: false, Intercept: true, Splice: true, UnspliceAfter: 0),
    ];

    public static readonly (string Name, string[] Args)[] Variants =
    [
        ("keep-alive", []),
        ("new connection", ["-H", "Connection: close"]),
    ];

    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);

    public static IReadOnlyList<BenchCell> Run(string prefix, TimeSpan duration, int connections, int threads, int rounds, Action<string> log)
    {
        var samples = Paths.ToDictionary(p => p, _ => Variants.ToDictionary(v => v.Name, _ => new List<BenchSample>()));
        var layout = new LabLayout(prefix, 2, Cgroups.Root());
        var lab = new MeshLab(layout);
        try
        {
            lab.Up(LabMode.Ebpf);
            for (var round = 0; round < rounds; round++)
            {
                log($"round {round + 1} of {rounds}, load average {LoadAverage()}");
                for (var i = 0; i < Paths.Length; i++)
                {
                    var path = Paths[(i + round) % Paths.Length];
                    // Variants alternate too: the second runs right after the first, which a policy that learns could notice.
                    var variants = round % 2 == 0 ? Variants : Variants.Reverse().ToArray();
                    foreach (var (variant, sample) in RunPath(layout, path, variants, duration, connections, threads, log))
                        samples[path][variant].Add(sample);
                }
            }
        }
        finally
        {
            lab.Down();
        }
        return [.. Paths.SelectMany(p => Variants.Select(v => new BenchCell(p.Name, v.Name, samples[p][v.Name])))];
    }

    private static List<(string Variant, BenchSample Sample)> RunPath(LabLayout layout, BenchPath path, (string Name, string[] Args)[] variants,
                                                                      TimeSpan duration, int connections, int threads, Action<string> log)
    {
        var pins = new PinLayout($"/sys/fs/bpf/{layout.Prefix}");
        MeshDataPlane? plane = null;
        var results = new List<(string, BenchSample)>();
        try
        {
            if (path.Iptables)
                foreach (var pod in layout.MeshedPods)
                    IstioIptables.Install(pod.Netns, PodPolicy.From(pod.ToPod()), layout.HostDir(pod));
            if (path.Intercept)
            {
                plane = MeshDataPlane.Install(layout.MeshCgroup, pins, path.Splice, new RunningKernel(), unspliceAfter: path.UnspliceAfter);
                new PodMapSync(plane.Skel, _ => { }).Apply(layout.Pods.Select(p => p.ToPod()).ToArray());
            }
            var pod0 = layout.Pod("pod0");
            var url = $"http://{layout.Pod("pod1").Ipv4}/";
            foreach (var (variant, args) in variants)
            {
                Wrk.Run(pod0.Cgroup, pod0.Netns, url, connections, threads, WarmUp, args);
                var busy0 = CpuTime.MachineBusy();
                var lab0 = CpuTime.OfCgroup(layout.MeshCgroup);
                var stats0 = plane is null ? null : MeshStats.Read(plane.Skel.Maps.Stats);
                var r = Wrk.Run(pod0.Cgroup, pod0.Netns, url, connections, threads, duration, args);
                var busy1 = CpuTime.MachineBusy();
                var lab1 = CpuTime.OfCgroup(layout.MeshCgroup);
                var spliced = plane is null ? 0 : MeshStats.Read(plane.Skel.Maps.Stats).Since(stats0!)[MeshAccelSkel.SpliceStat.StatRedirectedMsgs];
                if (r.Errors > 0)
                    log($"warning: {path.Name}, {variant}: {r.Errors} errors");
                var requests = Math.Max(1, r.Requests);
                var sample = new BenchSample(r, (busy1 - busy0) * 1000 / requests, (lab1 - lab0) * 1000 / requests, (double)spliced / requests);
                results.Add((variant, sample));
                log($"{path.Name,-36} {variant,-15} {r.RequestsPerSecond,10:N0} req/s  p50 {r.P50Ms:0.000} ms  p99 {r.P99Ms:0.000} ms  " +
                    $"{sample.MachineCpuUsPerRequest:0.0} us machine / {sample.LabCpuUsPerRequest:0.0} us lab CPU per request  {sample.SplicedMessagesPerRequest:0.00} spliced messages per request");
            }
        }
        finally
        {
            plane?.Dispose();
            if (path.Intercept)
                MeshDataPlane.Uninstall(pins);
            if (path.Iptables)
                foreach (var pod in layout.MeshedPods)
                    IstioIptables.Remove(pod.Netns);
        }
        return results;
    }

    public static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    /// <summary>Median over the rounds of a cell's value divided by iptables' in the same round.</summary>
    private static double RatioToIptables(IReadOnlyList<BenchCell> cells, BenchCell c, Func<BenchSample, double> f)
    {
        var baseline = cells.Single(b => b.Path == "iptables" && b.Variant == c.Variant);
        return Median(c.Samples.Zip(baseline.Samples, (s, b) => f(s) / f(b)));
    }

    /// <summary>The results as a Markdown table: medians over the rounds, and each path's median per-round ratio against iptables.</summary>
    public static string Markdown(IReadOnlyList<BenchCell> cells, string command, string loadBefore, string loadAfter)
    {
        var rounds = cells.Count == 0 ? 0 : cells[0].Samples.Count;
        var sb = new StringBuilder();
        sb.AppendLine($"`{command}`, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} CPUs, Linux {Environment.OSVersion.Version}, " +
                      $"{rounds} rounds, load average {loadBefore} before and {loadAfter} after.");
        sb.AppendLine();
        sb.AppendLine("| path | variant | req/s | p50 ms | p99 ms | machine CPU µs/req | lab CPU µs/req | spliced msgs/req | req/s vs iptables | p50 vs iptables | p99 vs iptables | req/s per round |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var c in cells)
        {
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {c.Path} | {c.Variant} | {c.Median(s => s.Wrk.RequestsPerSecond):N0} | {c.Median(s => s.Wrk.P50Ms):0.000} | {c.Median(s => s.Wrk.P99Ms):0.000} | " +
                $"{c.Median(s => s.MachineCpuUsPerRequest):0.0} | {c.Median(s => s.LabCpuUsPerRequest):0.0} | {c.Median(s => s.SplicedMessagesPerRequest):0.00} | " +
                $"{RatioToIptables(cells, c, s => s.Wrk.RequestsPerSecond):0.00}x | {RatioToIptables(cells, c, s => s.Wrk.P50Ms):0.00}x | {RatioToIptables(cells, c, s => s.Wrk.P99Ms):0.00}x | " +
                $"{string.Join(", ", c.Samples.Select(s => s.Wrk.RequestsPerSecond.ToString("N0", CultureInfo.InvariantCulture)))} |"));
        }
        return sb.ToString();
    }
}
