using Ebpf.Examples.Tests.Tcptop;
using Ebpf.Links;
using Ebpf.TestKit;

namespace Ebpf.Deploy.Tests;

/// <summary>
/// The images (scripts/build-images.sh) run with podman as their DaemonSets run them (<see cref="PodmanContainer"/>):
/// tcptop's exporter counts a test flow's bytes exactly, sockredir redirects in a test cgroup; both leave nothing attached
/// after `podman stop` and after `podman kill -s KILL`, and a restarted container works again. The images are built from
/// this checkout the first time a test asks (TestKit's Podman); skipped only without root or podman.
/// </summary>
[Collection(nameof(KernelState))]
public sealed class PodmanAgentTests : IDisposable
{
    public void Dispose() => NetavarkLeftovers.RemoveWhenNoContainerRuns();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const long Bytes = 1_000_003;

    [Fact]
    public async Task Tcptop_in_its_container_counts_a_flow_exactly_and_leaves_nothing_when_stopped_or_killed()
    {
        Kernel.RequireRoot();
        var pod = PodmanContainer.RequireImage("tcptop");
        var port = AgentRuns.FreePort();
        using var sender = new TempCgroup("pts");
        using var receiver = new TempCgroup("ptr");
        var before = ProgramIds("tcptop_");
        using var container = new PodmanContainer("tcptop", pod, publishPort: port);
        var url = $"http://127.0.0.1:{port}/metrics";
        await container.WaitOk(url, Ct);
        var ours = ProgramIds("tcptop_").Except(before).ToArray();
        Assert.NotEmpty(ours);

        var (server, serverPort) = TcpPeers.Serve(receiver, null, TcpPeers.Comm("pdrx"), "127.0.0.1");
        using (server)
        using (var client = TcpPeers.Send(sender, null, TcpPeers.Comm("pdtx"), "127.0.0.1", serverPort, Bytes, 1000, 65536))
        {
            Assert.Equal(Bytes, TcpPeers.Result(client, "sent"));
            Assert.Equal(Bytes, TcpPeers.Result(server, "received"));
        }
        var metrics = await Get(url);
        // the cgroup label is the path below the host cgroup2 root the pod sees at /host/cgroup
        Assert.Equal(Bytes, Sample(metrics, "tcptop_cgroup_sent_bytes_total", Path.GetFileName(sender.Path)));
        Assert.Equal(Bytes, Sample(metrics, "tcptop_cgroup_received_bytes_total", Path.GetFileName(receiver.Path)));
        Assert.Equal(0, Sample(metrics, "tcptop_cgroup_received_bytes_total", Path.GetFileName(sender.Path)) ?? 0);

        container.Stop();
        Assert.Equal(0, container.ExitCode); // it stopped on SIGTERM within the grace period, not killed after it
        Assert.Empty(ProgramIds("tcptop_").Intersect(ours));

        container.Start();
        await container.WaitOk(url, Ct);
        var again = ProgramIds("tcptop_").Except(before).ToArray();
        Assert.NotEmpty(again);
        container.Kill();
        WaitGone(again);
    }

    [Fact]
    public async Task Sockredir_in_its_container_redirects_in_a_test_cgroup_and_leaves_nothing_when_stopped_or_killed()
    {
        Kernel.RequireRoot();
        var pod = PodmanContainer.RequireImage("sockredir");
        var port = AgentRuns.FreePort();
        using var cgroup = new TempCgroup("psr");
        // the manifest's args, with the test cgroup (below the host root the pod sees at /host/cgroup) for the node's root
        var args = pod.Containers.Single().Args.ToList();
        var i = args.IndexOf("--cgroup");
        Assert.Equal(AgentFacts.HostCgroupMount, args[i + 1]);
        args[i + 1] = AgentFacts.HostCgroupMount + "/" + Path.GetFileName(cgroup.Path);
        using var container = new PodmanContainer("sockredir", pod, args, port);
        var url = $"http://127.0.0.1:{port}/healthz";
        await container.WaitOk(url, Ct);
        Assert.NotEmpty(AttachedPrograms.OnCgroup(cgroup.Path, CgroupHook.SockOps));

        await AssertRedirects(cgroup, url);

        container.Stop();
        Assert.Equal(0, container.ExitCode);
        Assert.Empty(AttachedPrograms.OnCgroup(cgroup.Path, CgroupHook.SockOps));

        container.Start();
        await container.WaitOk(url, Ct);
        await AssertRedirects(cgroup, url);
        container.Kill();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (AttachedPrograms.OnCgroup(cgroup.Path, CgroupHook.SockOps).Count > 0 && DateTime.UtcNow < until)
            Thread.Sleep(100);
        Assert.Empty(AttachedPrograms.OnCgroup(cgroup.Path, CgroupHook.SockOps));
    }

    public static TheoryData<string, string> EachCapability()
    {
        var data = new TheoryData<string, string>();
        foreach (var agent in new[] { "tcptop", "sockredir" })
            foreach (var cap in Manifests.Container(agent).SecurityContext.Capabilities.Add)
                data.Add(agent, cap);
        return data;
    }

    [Theory, MemberData(nameof(EachCapability))]
    public void In_its_container_without_any_one_capability_the_agent_names_it(string agent, string dropped)
    {
        Kernel.RequireRoot();
        var pod = PodmanContainer.RequireImage(agent);
        Assert.True(pod.Containers.Single().SecurityContext.Capabilities.Add.Remove(dropped));
        using var cgroup = new TempCgroup("pcap");
        var args = pod.Containers.Single().Args.ToList();
        if (agent == "sockredir")
            args[args.IndexOf("--cgroup") + 1] = AgentFacts.HostCgroupMount + "/" + Path.GetFileName(cgroup.Path);
        using var container = new PodmanContainer(agent, pod, args, AgentRuns.FreePort());
        container.WaitExited(TimeSpan.FromSeconds(60));
        var logs = container.Logs;
        Assert.False(container.Running, $"{agent} without CAP_{dropped} still runs:\n{logs}");
        Assert.Equal(1, container.ExitCode);
        Assert.Contains($"lacks CAP_{dropped}", logs);
        Assert.DoesNotContain("unexpected error", logs);
        Assert.DoesNotContain("   at ", logs);
    }

    /// <summary>A connection inside the cgroup that lasts: both its sockets enter sockredir's map, which its health line counts.</summary>
    private static async Task AssertRedirects(TempCgroup cgroup, string url)
    {
        var (server, serverPort) = TcpPeers.Serve(cgroup, null, TcpPeers.Comm("psrx"), "127.0.0.1");
        using (server)
        using (var client = TcpPeers.SendPaced(cgroup, TcpPeers.Comm("pstx"), "127.0.0.1", serverPort, 200_000, 1000, 10))
        {
            var body = "";
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (!body.Contains("2 socket(s) in the map") && DateTime.UtcNow < until)
            {
                body = await Get(url);
                await Task.Delay(100, Ct);
            }
            Assert.Contains("2 socket(s) in the map", body);
            Assert.Equal(200_000, TcpPeers.Result(client, "sent"));
            Assert.Equal(200_000, TcpPeers.Result(server, "received"));
        }
    }

    /// <summary>Kernel ids of the loaded programs whose name starts with <paramref name="prefix"/> (bpftool).</summary>
    private static HashSet<uint> ProgramIds(string prefix)
    {
        var json = HostCommand.Check("bpftool", "-j", "prog", "show");
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray()
            .Where(p => p.TryGetProperty("name", out var n) && n.GetString()!.StartsWith(prefix, StringComparison.Ordinal))
            .Select(p => p.GetProperty("id").GetUInt32()).ToHashSet();
    }

    private static void WaitGone(IEnumerable<uint> ids)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (ProgramIds("tcptop_").Intersect(ids).Any() && DateTime.UtcNow < until)
            Thread.Sleep(100);
        Assert.Empty(ProgramIds("tcptop_").Intersect(ids));
    }

    /// <summary>The value of the series <paramref name="metric"/> with cgroup="<paramref name="cgroup"/>", or null.</summary>
    private static long? Sample(string metrics, string metric, string cgroup)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(metric + "{", StringComparison.Ordinal) && l.Contains($"cgroup=\"{cgroup}\""));
        return line is null ? null : (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<string> Get(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetStringAsync(url, Ct);
    }
}
