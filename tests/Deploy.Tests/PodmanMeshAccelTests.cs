using Ebpf.Examples.MeshAccel.Commands;
using Ebpf.Examples.MeshAccel.Lab;
using Ebpf.Examples.Tests.MeshAccel;
using Ebpf.Links;
using Ebpf.TestKit;
using k8s.Models;

namespace Ebpf.Deploy.Tests;

/// <summary>
/// mesh-accel's image run with podman as its DaemonSet runs it (<see cref="MeshAccelInContainer"/>): it meshes the lab's
/// pods and the contract's matrix gives what it gives under istio-iptables; it fails closed through `podman kill -s KILL`;
/// a restarted container adopts the pins and catches up with the pods; the cleanup Job's `mesh-accel uninstall`, run as
/// that Job runs it, leaves nothing attached or pinned; and with any one of the manifest's capabilities dropped the
/// container exits naming it. Images built from this checkout once per run; skipped only without root or podman.
/// </summary>
[Collection(nameof(KernelState))]
public sealed class PodmanMeshAccelTests : IDisposable
{
    public void Dispose() => NetavarkLeftovers.RemoveWhenNoContainerRuns();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly LabCall PodToPod = new("pod0 to pod1", "pod0", "http://10.213.0.11/");
    private static readonly string[] Intercepted = ["pod0 outbound -> 10.213.0.11:80", "pod1 inbound -> 10.213.0.11:80"];

    [Fact]
    public async Task In_its_container_mesh_accel_meshes_the_lab_and_the_matrix_matches_iptables()
    {
        Kernel.RequireRoot();
        var pod = PodmanContainer.RequireImage("mesh-accel");
        var results = new Dictionary<string, CallResult[]>();
        using (var lab = new LabUnderTest(LabMode.Iptables))
            results["iptables"] = EquivalenceMatrix.Run(lab.Layout, EquivalenceMatrix.Matrix);
        using (var lab = new LabUnderTest(LabMode.Ebpf, startAgent: false))
        using (var agent = new MeshAccelInContainer(lab, pod))
        {
            await agent.WaitReady(Ct);
            Assert.Equal($"ok: mesh_connect4, mesh_connect6, mesh_getsockopt, mesh_sockops attached to {agent.Cgroup}, mesh_msg to sock_hash; 4 pod(s) in the maps\n",
                         await Get(agent.Url("/healthz")));
            results["mesh-accel in its container"] = EquivalenceMatrix.Run(lab.Layout, EquivalenceMatrix.Matrix);
            Assert.True(agent.Container.Running, agent.Container.Logs);
        }
        EquivalenceMatrix.AssertAllMatch(EquivalenceMatrix.Matrix, results);
    }

    [Fact]
    public async Task In_its_container_mesh_accel_fails_closed_when_killed_adopts_on_restart_and_the_uninstall_job_leaves_nothing()
    {
        Kernel.RequireRoot();
        var pod = PodmanContainer.RequireImage("mesh-accel");
        using var lab = new LabUnderTest(LabMode.Ebpf, startAgent: false);
        using var agent = new MeshAccelInContainer(lab, pod);
        var container = agent.Container;
        await agent.WaitReady(Ct);
        Assert.Equal(Intercepted, LabTraffic.Call(lab.Layout, PodToPod).Hops);

        container.Kill();
        Assert.True(container.WaitExited(TimeSpan.FromSeconds(20)), container.Logs);
        // No agent: a new connection is still intercepted, by the pinned links and maps (fails closed, by design).
        Assert.Equal(Intercepted, LabTraffic.Call(lab.Layout, PodToPod).Hops);

        // Meanwhile pod1 loses its sidecar; the restarted container adopts the pins and picks the change up.
        agent.WritePods(lab.Layout.Pods.Select(p => p.Role == "pod1" ? p.ToPod() with { Sidecar = false } : p.ToPod()));
        container.Start();
        await agent.WaitReady(Ct);
        Assert.Contains("adopted mesh_msg, mesh_getsockopt, mesh_sockops, mesh_connect4, mesh_connect6", container.Logs);
        var after = LabTraffic.Call(lab.Layout, PodToPod);
        Assert.Equal(["pod0 outbound -> 10.213.0.11:80"], after.Hops);
        Assert.Equal("app=pod1 port=80 peer=10.213.0.10", after.Body.Trim());

        // A rolling update's stop: SIGTERM, exit 0 within the grace period, and interception stays.
        container.Stop();
        Assert.Equal(0, container.ExitCode);
        Assert.NotEmpty(UninstallCommand.LeftAttached(lab.Layout.MeshCgroup));

        using (var job = UninstallJob(lab.Pins.Dir))
        {
            Assert.True(job.WaitExited(TimeSpan.FromSeconds(60)), job.Logs);
            Assert.True(job.ExitCode == 0, job.Logs);
            Assert.Contains($"nothing of mesh-accel is attached to {agent.Cgroup} any more", job.Logs);
        }
        // Oracles outside the agent: the kernel's program query on each hook, bpftool, the pin and state directories.
        foreach (var hook in new[] { CgroupHook.Inet4Connect, CgroupHook.Inet6Connect, CgroupHook.Getsockopt, CgroupHook.SockOps })
            Assert.Empty(AttachedPrograms.OnCgroup(lab.Layout.MeshCgroup, hook));
        var bpftool = HostCommand.Check("bpftool", "-j", "cgroup", "show", lab.Layout.MeshCgroup).Trim();
        Assert.True(bpftool is "" or "[]", $"bpftool still lists programs on {lab.Layout.MeshCgroup}: {bpftool}");
        Assert.False(Directory.Exists(lab.Pins.Dir), $"{lab.Pins.Dir} is left");
        Assert.False(Directory.Exists(lab.Pins.StateDir), $"{lab.Pins.StateDir} is left");
        var plain = LabTraffic.Call(lab.Layout, PodToPod);
        Assert.Empty(plain.Hops);
        Assert.Equal("app=pod1 port=80 peer=10.213.0.10", plain.Body.Trim());
    }

    /// <summary>The kubeconfig's path in the container (the test mounts it read-only).</summary>
    private const string KubeconfigMount = "/etc/mesh-accel/kubeconfig";

    /// <summary>
    /// The manifest's args as they are (`--pods-from kubernetes`, `--cgroup-root /host/cgroup`), plus a test cgroup, a
    /// test pin directory and a kubeconfig of an API server nobody answers at: the agent checks what it needs (hostPID,
    /// CAP_SYS_PTRACE, then loading and attaching) before it lists pods, and keeps retrying the list.
    /// </summary>
    private static PodmanContainer InKubernetesMode(V1PodSpec pod, AgentRuns runs, int port) =>
        new("mesh-accel", pod,
            [.. pod.Containers.Single().Args, "--cgroup", MeshAccelInContainer.InContainer(runs.Cgroup), "--pin-dir", runs.PinDir, "--kubeconfig", KubeconfigMount],
            port, (runs.Kubeconfig, KubeconfigMount, true));

    [Fact]
    public async Task In_its_container_with_the_manifests_capabilities_mesh_accel_is_live_and_waits_for_the_api()
    {
        Kernel.RequireRoot();
        var pod = PodmanContainer.RequireImage("mesh-accel");
        using var runs = new AgentRuns();
        using var container = InKubernetesMode(pod, runs, runs.Port);
        await container.WaitOk($"http://127.0.0.1:{runs.Port}/healthz", Ct);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var ready = await http.GetAsync($"http://127.0.0.1:{runs.Port}/readyz", Ct);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.StartsWith("not ready: programs attached, but the first pod set is not in the maps yet", await ready.Content.ReadAsStringAsync(Ct));
        container.Stop();
        Assert.Equal(0, container.ExitCode);
    }

    public static TheoryData<string> EachCapability() => new(Manifests.Container("mesh-accel").SecurityContext.Capabilities.Add);

    [Theory, MemberData(nameof(EachCapability))]
    public void In_its_container_without_any_one_capability_mesh_accel_names_it(string dropped)
    {
        Kernel.RequireRoot();
        var pod = PodmanContainer.RequireImage("mesh-accel");
        Assert.True(pod.Containers.Single().SecurityContext.Capabilities.Add.Remove(dropped));
        using var runs = new AgentRuns();
        using var container = InKubernetesMode(pod, runs, runs.Port);
        Assert.True(container.WaitExited(TimeSpan.FromSeconds(60)), $"mesh-accel without CAP_{dropped} still runs:\n{container.Logs}");
        var logs = container.Logs;
        Assert.True(container.ExitCode == 1, logs);
        Assert.Matches($"lacks CAP_{dropped}|CAP_{dropped}, which the process lacks", logs);
        Assert.DoesNotContain("unexpected error", logs);
        Assert.DoesNotContain("   at ", logs);
    }

    /// <summary>The cleanup Job's container (deploy/kubernetes/mesh-accel-uninstall.yaml) as the Job runs it, on the test's pins.</summary>
    private static PodmanContainer UninstallJob(string pinDir)
    {
        var job = Manifests.Load("mesh-accel-uninstall.yaml").OfType<V1Job>().Single().Spec.Template.Spec;
        var c = job.Containers.Single();
        Assert.Equal(["uninstall"], c.Args);
        Assert.Equal(Manifests.Container("mesh-accel").Image, c.Image);
        return new PodmanContainer("mesh-accel-uninstall", job, [.. c.Args, "--pin-dir", pinDir]);
    }

    private static async Task<string> Get(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetStringAsync(url, Ct);
    }
}
