using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ebpf.Examples.Linux;
using Ebpf.Examples.XdpProxy.ControlPlane;
using Ebpf.Examples.XdpProxy.DataPlane;
using Ebpf.Examples.XdpProxy.Lab;
using Ebpf.Links;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests;

/// <summary>One lab (client, lb, two nginx backends on a bridge) for all the lab tests of a run.</summary>
public sealed class XdpProxyLabFixture : IDisposable
{
    internal LabNetwork? Lab { get; private set; }

    internal LabNetwork Get()
    {
        if (Lab is null)
        {
            Kernel.RequireRoot();
            RunPrefix.EnsureSwept();
            Lab = new LabNetwork(new LabLayout(RunPrefix.NewName("xp")));
            Lab.Up();
        }
        return Lab;
    }

    public void Dispose() => Lab?.Down();
}

/// <summary>
/// The balancer on the real kernel, in the lab: HTTP through the VIP over new and keep-alive
/// connections, backend removal under load, and clean teardown of the lab and of a stopped `run`.
/// </summary>
[Collection(XdpProxyCollection.Name)]
public sealed class XdpProxyLabTests(XdpProxyLabFixture fixture) : IClassFixture<XdpProxyLabFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private LabLayout Layout => fixture.Get().Layout;
    private IPEndPoint VipEndPoint => new(Layout.Vip, LabLayout.Port);

    private Balancer StartBalancer(XdpAttachMode mode)
    {
        var options = new BalancerOptions(LabHost.Interface, Layout.Balancer.Netns, Layout.Vip, LabLayout.Port,
            Layout.Backends.Select(b => new IPEndPoint(b.Address, LabLayout.Port)).ToArray(), mode, null,
            BalancerOptions.DefaultNatPortMin, BalancerOptions.DefaultNatPortMax);
        var balancer = new Balancer(new ProxyDataPlane(), options);
        try
        {
            balancer.Start();
            return balancer;
        }
        catch
        {
            balancer.Dispose();
            throw;
        }
    }

    [Fact]
    public void TheClientSendsWithChecksumOffloadOff()
    {
        var features = Tool.InNetns(Layout.Client.Netns, "ethtool", "-k", LabHost.Interface);
        Assert.Contains("tx-checksumming: off", features);
    }

    [Fact]
    public void TheLinksHaveTheSettingsTheBenchmarkReliesOn()
    {
        string Read(string netns, string path) => Tool.InNetns(netns, "cat", path).Trim();

        // Both ends of a link: the bridge side too, so its frames reach the balancer through NAPI.
        Assert.Contains("tx-checksumming: off", Tool.InNetns(Layout.Switch, "ethtool", "-k", Layout.Balancer.Role));
        for (var q = 0; q < Environment.ProcessorCount; q++)
        {
            Assert.Equal(LinkSettings.CpuMask(q), Read(Layout.Client.Netns, $"/sys/class/net/{LabHost.Interface}/queues/tx-{q}/xps_cpus"));
            Assert.Equal(LinkSettings.CpuMask(q), Read(Layout.Switch, $"/sys/class/net/{Layout.Balancer.Role}/queues/tx-{q}/xps_cpus"));
        }
        Assert.Equal("1", Read(Layout.Balancer.Netns, $"/sys/class/net/{LabHost.Interface}/threaded"));
        Assert.Contains("generic-receive-offload: on", Tool.InNetns(Layout.Balancer.Netns, "ethtool", "-k", LabHost.Interface));
        var bridgeNf = Tool.TryRun("ip", "netns", "exec", Layout.Switch, "sysctl", "-n", "net.bridge.bridge-nf-call-iptables");
        if (bridgeNf.ExitCode == 0) // absent where br_netfilter is not loaded: nothing to turn off
            Assert.Equal("0", bridgeNf.Stdout.Trim());
    }

    [Theory]
    [InlineData(XdpAttachMode.Native)]
    [InlineData(XdpAttachMode.Generic)]
    public async Task PipelinedBulkTrafficArrivesWhole(XdpAttachMode mode)
    {
        // 10,000 requests in one write (about 300 KB up) and their answers (about 1.5 MB down): runs of
        // full-sized segments both ways, which GRO on the balancer's interface may merge before generic
        // XDP sees them. A wrong checksum on a merged packet would stall the stream.
        using var balancer = StartBalancer(mode);
        using var http = await XdpProxyHttp.ConnectAsync(Layout.Client.Netns, VipEndPoint, Deadline);
        Assert.Equal(10_000, await http.PipelineAsync(10_000, TimeSpan.FromSeconds(20)));
    }

    [Theory]
    [InlineData(XdpAttachMode.Native)]
    [InlineData(XdpAttachMode.Generic)]
    public async Task TwoThousandNewConnectionsAllSucceedAndSpreadOverBothBackends(XdpAttachMode mode)
    {
        using var balancer = StartBalancer(mode);
        var served = new ConcurrentDictionary<string, int>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < 2000)
            {
                using var http = await XdpProxyHttp.ConnectAsync(Layout.Client.Netns, VipEndPoint, Deadline);
                served.AddOrUpdate(await http.GetAsync(close: true, Deadline), 1, (_, n) => n + 1);
            }
        }));

        Assert.Equal(2000, served.Values.Sum());
        Assert.Equal(["be1", "be2"], served.Keys.Order());
        foreach (var (backend, count) in served)
            Assert.InRange(count, 600, 1400); // 30-70 %
        var snapshot = balancer.Snapshot();
        Assert.Equal(0UL, snapshot.NatExhausted);
        Assert.All(snapshot.Backends, b => Assert.True(b.PacketsToBackend > 0 && b.PacketsToClient > 0));
    }

    [Theory]
    [InlineData(XdpAttachMode.Native)]
    [InlineData(XdpAttachMode.Generic)]
    public async Task KeepAliveConnectionsStayOnOneBackendThroughout(XdpAttachMode mode)
    {
        using var balancer = StartBalancer(mode);
        const int connections = 128, requests = 16; // 2,048 requests
        var perConnection = await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            using var http = await XdpProxyHttp.ConnectAsync(Layout.Client.Netns, VipEndPoint, Deadline);
            var names = new List<string>();
            for (var i = 0; i < requests; i++)
                names.Add(await http.GetAsync(close: false, Deadline));
            return names;
        }));

        Assert.Equal(connections * requests, perConnection.Sum(n => n.Count));
        Assert.All(perConnection, names => Assert.Single(names.Distinct()));
        var byBackend = perConnection.GroupBy(n => n[0]).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(["be1", "be2"], byBackend.Keys.Order());
        Assert.All(byBackend.Values, c => Assert.InRange(c, connections * 3 / 10, connections * 7 / 10));
    }

    [Fact]
    public async Task RemovingABackendUnderTrafficMovesNewConnectionsAndHangsNothing()
    {
        using var balancer = StartBalancer(XdpAttachMode.Native);
        var removed = new IPEndPoint(Layout.Backends[1].Address, LabLayout.Port);

        // Keep-alive connections opened before the removal: they must keep working (draining).
        var early = new List<(XdpProxyHttp Http, string Backend)>();
        for (var i = 0; i < 16; i++)
        {
            var http = await XdpProxyHttp.ConnectAsync(Layout.Client.Netns, VipEndPoint, Deadline);
            early.Add((http, await http.GetAsync(close: false, Deadline)));
        }
        Assert.Contains(early, e => e.Backend == "be2");

        var removedAt = long.MaxValue;
        var afterRemoval = new ConcurrentBag<string>();
        var failures = new ConcurrentBag<Exception>();
        var total = 0;
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 6).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var http = await XdpProxyHttp.ConnectAsync(Layout.Client.Netns, VipEndPoint, Deadline);
                    var name = await http.GetAsync(close: true, Deadline);
                    Interlocked.Increment(ref total);
                    if (started > Interlocked.Read(ref removedAt))
                        afterRemoval.Add(name);
                }
                catch (Exception e)
                {
                    failures.Add(e);
                }
            }
        }).ToArray();

        await Task.Delay(1000, TestContext.Current.CancellationToken);
        balancer.Remove(removed);
        Interlocked.Exchange(ref removedAt, Stopwatch.GetTimestamp());
        await Task.Delay(1500, TestContext.Current.CancellationToken);
        foreach (var (http, backend) in early)
            Assert.Equal(backend, await http.GetAsync(close: false, Deadline)); // draining: same backend, no hang
        stop.Cancel();
        await Task.WhenAll(load);
        foreach (var (http, _) in early)
            http.Dispose();

        Assert.Empty(failures);
        Assert.True(total > 100, $"only {total} requests completed");
        Assert.NotEmpty(afterRemoval);
        Assert.All(afterRemoval, name => Assert.Equal("be1", name));
    }

    [Fact]
    public void AJumboMtuGivesAClearErrorInNativeMode()
    {
        var lb = Layout.Balancer.Netns;
        Tool.Run("ip", "-n", lb, "link", "set", "dev", LabHost.Interface, "mtu", "9000");
        try
        {
            var e = Assert.Throws<ToolException>(() => StartBalancer(XdpAttachMode.Native).Dispose());
            Assert.Contains("MTU", e.Message);
            Assert.Contains("--mode generic", e.Message);
            Assert.False(HasXdp(lb, LabHost.Interface));
            Assert.False(HasXdp(Layout.Switch, "lb"), "the stub on the veth peer was left behind by the failed attach");
        }
        finally
        {
            Tool.Run("ip", "-n", lb, "link", "set", "dev", LabHost.Interface, "mtu", "1500");
        }
    }

    [Fact]
    public void LabDownLeavesNothingBehind()
    {
        Kernel.RequireRoot();
        var lab = new LabNetwork(new LabLayout(RunPrefix.NewName("xd")));
        int[] backendPids;
        try
        {
            lab.Up();
            backendPids = lab.Layout.Backends.Select(b => Nginx.ReadPid(lab.Layout.WorkDir(b))!.Value).ToArray();
            Assert.All(backendPids, pid => Assert.True(Posix.Alive(pid)));
        }
        finally
        {
            lab.Down(); // the step under test; also the cleanup when Up or the checks above fail
        }

        var namespaces = Tool.Run("ip", "netns", "list");
        Assert.DoesNotContain(lab.Layout.Prefix, namespaces);
        Assert.All(lab.Layout.Hosts, h => Assert.False(Directory.Exists(lab.Layout.WorkDir(h)), $"{lab.Layout.WorkDir(h)} is left"));
        Assert.All(backendPids, pid => Assert.False(Posix.Alive(pid), $"nginx {pid} is still running"));
        Assert.Empty(lab.Down()); // idempotent
    }

    [Theory]
    [InlineData("SIGTERM")]
    [InlineData("SIGKILL")]
    public void AStoppedRunLeavesNothingBehind(string signal)
    {
        Kernel.RequireRoot();
        var lb = Layout.Balancer.Netns;
        int pid;
        using (var run = new AppRun("xdp-proxy.dll", "run", "--netns", lb, "--iface", LabHost.Interface, "--vip", Layout.Vip.ToString(),
                                    "--port", LabLayout.Port.ToString(), "--backend", Layout.Backends[0].Address.ToString()))
        {
            pid = run.Id;
            Assert.True(run.WaitForLine("balancing", TimeSpan.FromSeconds(30)) is not null, $"run did not start: {run.Transcript}");
            Assert.True(HasXdp(lb, LabHost.Interface), "run reported success but no XDP program is attached");
            Assert.Contains(ControlSocket.Running(), n => n.Contains(lb));

            run.Signal(signal == "SIGTERM" ? Posix.SigTerm : Posix.SigKill);
            Assert.True(run.WaitForExit(TimeSpan.FromSeconds(10)), $"run did not exit: {run.Transcript}");
        }

        Assert.False(HasXdp(lb, LabHost.Interface), "the balancer's XDP program is still attached");
        Assert.False(HasXdp(Layout.Switch, "lb"), "the XDP stub on the veth peer is still attached");
        Assert.DoesNotContain(ControlSocket.Running(), n => n.Contains(lb));
        Assert.False(Directory.Exists($"/sys/fs/bpf/xdp-proxy-{pid}"), "pinned objects are left in bpffs");
    }

    [Fact]
    public async Task TheTotalsAtStopCountTrafficThatEndedInsideTheLastSecond()
    {
        var lb = Layout.Balancer.Netns;
        using var run = new AppRun("xdp-proxy.dll", ["run", "--netns", lb, "--iface", LabHost.Interface, "--vip", Layout.Vip.ToString(),
                                    "--port", LabLayout.Port.ToString(), .. Layout.Backends.SelectMany(b => new[] { "--backend", b.Address.ToString() })]);
        Assert.True(run.WaitForLine("balancing", TimeSpan.FromSeconds(30)) is not null, $"run did not start: {run.Transcript}");

        // Start right after a tick, so that the whole job falls between two ticks: only a reading at stop can see it.
        var rows = Rows(run).Count;
        Assert.True(SpinWait.SpinUntil(() => Rows(run).Count > rows, 5000), $"no per-second line:\n{run.Transcript}");
        for (var i = 0; i < 20; i++)
        {
            using var http = await XdpProxyHttp.ConnectAsync(Layout.Client.Netns, VipEndPoint, Deadline);
            await http.GetAsync(close: true, Deadline);
        }
        // The counters as `stats` reads them once the last FIN and ACK have passed: the whole job, and what the totals must say.
        var settled = Stats(lb);
        for (BalancerSnapshot next; !SameCounters(settled, next = Stats(lb)); settled = next)
            Thread.Sleep(100);
        run.Signal(Posix.SigTerm);
        Assert.True(run.WaitForExit(TimeSpan.FromSeconds(10)), $"run did not exit: {run.Transcript}");

        var lines = run.Transcript.Split('\n');
        var at = Array.FindIndex(lines, l => l.Contains("stopping; totals:", StringComparison.Ordinal));
        Assert.True(at >= 0, $"no totals at stop:\n{run.Transcript}");
        Assert.True(settled.Backends.Sum(b => (long)b.PacketsToBackend) >= 20 * 3, $"the job did not pass the balancer: {run.Transcript}");
        foreach (var b in settled.Backends)
        {
            var row = lines.Skip(at).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).FirstOrDefault(f => f.Length == 8 && f[1] == b.Backend);
            Assert.True(row is not null, $"no totals row for {b.Backend}:\n{run.Transcript}");
            Assert.True(row[4..].SequenceEqual(new[] { b.PacketsToBackend, b.BytesToBackend, b.PacketsToClient, b.BytesToClient }.Select(v => v.ToString(CultureInfo.InvariantCulture))),
                        $"{b.Backend}: the totals at stop are not the counters after the job ({b.PacketsToBackend} {b.BytesToBackend} {b.PacketsToClient} {b.BytesToClient}):\n{run.Transcript}");
        }
        Assert.True(Rows(run)[^1].Contains("until stop", StringComparison.Ordinal), $"no partial line at stop:\n{run.Transcript}");
    }

    private static BalancerSnapshot Stats(string netns)
    {
        var reply = ControlSocket.Send("stats", LabHost.Interface, netns).TrimEnd();
        Assert.StartsWith("ok ", reply);
        return JsonSerializer.Deserialize(reply[3..], SnapshotJson.Default.BalancerSnapshot)!;
    }

    private static bool SameCounters(BalancerSnapshot a, BalancerSnapshot b) =>
        a.Backends.Select(x => (x.PacketsToBackend, x.PacketsToClient)).SequenceEqual(b.Backends.Select(x => (x.PacketsToBackend, x.PacketsToClient)));

    /// <summary>The per-second lines printed so far (they start with the time of day).</summary>
    private static List<string> Rows(AppRun run) =>
        run.Transcript.Split('\n').Where(l => Regex.IsMatch(l, @"^\d\d:\d\d:\d\d ")).ToList();

    private static bool HasXdp(string netns, string iface) =>
        Tool.Run("ip", "-n", netns, "link", "show", "dev", iface).Contains("prog/xdp");
}
