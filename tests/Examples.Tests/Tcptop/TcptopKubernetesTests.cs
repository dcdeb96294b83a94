using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// Kubernetes-shaped cgroups, as the kubelet names them with each cgroup driver, made below a test cgroup: traffic from
/// a process in the container's cgroup is labelled with the pod's UID (dashes, also where systemd wrote underscores)
/// and the container's id, in /metrics and in `top --json`.
/// </summary>
[Collection(TcptopCollection.Name)]
public sealed class TcptopKubernetesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Drivers => ["systemd", "cgroupfs"];

    [Theory]
    [MemberData(nameof(Drivers))]
    public async Task TrafficInAPodsContainerCarriesPodUidAndContainerId(string driver)
    {
        Kernel.RequireRoot();
        const long bytes = 250_001;
        var podUid = Guid.NewGuid().ToString();
        var containerId = Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant() + Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant();
        using var parent = new TempCgroup("ttk8");
        using var receivers = new TempCgroup("ttkr");
        var relative = driver == "systemd"
            ? $"kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{podUid.Replace('-', '_')}.slice/cri-containerd-{containerId}.scope"
            : $"kubepods/burstable/pod{podUid}/{containerId}";
        var leaf = Path.Combine(parent.Path, relative);
        Directory.CreateDirectory(leaf);
        using var export = new ExportRun();
        using var top = new AppRun("tcptop.dll", "top", "--json", "--interval", "1s", "--by", "cgroup", "--cgroup", parent.Path);
        Assert.True(top.WaitForLine("\"rows\"", TimeSpan.FromSeconds(60)) is not null, top.Transcript);
        var comm = TcpPeers.Comm("k8" + driver[..2]);

        var (server, port) = TcpPeers.Serve(receivers, null, TcpPeers.Comm("k8rx"), "127.0.0.1");
        using (server)
        using (var client = TcpPeers.StartIn(leaf, "send", comm, "127.0.0.1", port.ToString(), bytes.ToString(), "1000"))
        {
            Assert.Equal(bytes, TcpPeers.Result(client, "sent"));
            TcpPeers.Result(server, "received");
        }

        var scrape = await export.ScrapeAsync(Ct);
        var cgroupLabel = Path.GetRelativePath(Ebpf.KernelMounts.Cgroup2Root!, leaf);
        var perCgroup = Assert.Single(scrape.Named("tcptop_cgroup_sent_bytes_total"), s => s.Labels["cgroup"] == cgroupLabel);
        Assert.Equal(podUid, perCgroup.Labels["pod_uid"]);
        Assert.Equal(containerId, perCgroup.Labels["container_id"]);
        Assert.Equal(bytes, perCgroup.Value);
        var perProcess = Assert.Single(scrape.Named("tcptop_sent_bytes_total"), s => s.Labels["comm"] == comm);
        Assert.Equal(podUid, perProcess.Labels["pod_uid"]);
        Assert.Equal(containerId, perProcess.Labels["container_id"]);
        Assert.Equal(1, scrape.Sum("tcptop_connections_opened_total", ("pod_uid", podUid), ("direction", "active")));

        Thread.Sleep(2500);
        var rows = top.Transcript.Split('\n').Where(l => l.StartsWith('{'))
            .SelectMany(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("rows").EnumerateArray())
            .Where(r => r.GetProperty("pod_uid").GetString() == podUid).ToArray();
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Equal(containerId, r.GetProperty("container_id").GetString()));
        Assert.Contains(rows, r => r.GetProperty("sent_bytes").GetUInt64() == (ulong)bytes);
    }
}
