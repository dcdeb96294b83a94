using System.Net;
using Ebpf.TestKit;

namespace Ebpf.Deploy.Tests;

/// <summary>
/// sockredir's and mesh-accel's /healthz (their probes' endpoint): 200 while their programs are attached, 503 with
/// the reason once they are not. Host binaries, test cgroups and pin directories.
/// </summary>
[Collection(nameof(KernelState))]
public sealed class HealthEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] All = ["BPF", "NET_ADMIN", "PERFMON", "SYS_PTRACE"];

    [Fact]
    public async Task Sockredir_reports_its_attachment_and_its_loss()
    {
        Kernel.RequireRoot();
        using var runs = new AgentRuns();
        var target = Path.Combine(runs.Cgroup, "redirected");
        Directory.CreateDirectory(target);
        using var run = new AgentProcess("sockredir", All, "run", "--cgroup", target, "--health", $"127.0.0.1:{runs.Port}");
        Assert.True(run.WaitForLine("health at", TimeSpan.FromSeconds(90)), run.Transcript);
        var (status, body) = await Get(runs.Port);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("ok: sockredir_sockops (program ", body);
        Assert.Contains($"attached to {target}", body);

        Directory.Delete(target); // the cgroup goes, and its programs with it
        (status, body) = await Get(runs.Port);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("is no longer attached to " + target, body);
    }

    [Fact]
    public async Task Mesh_accel_reports_its_attachment_and_a_lost_pin()
    {
        Kernel.RequireRoot();
        using var runs = new AgentRuns();
        using var run = new AgentProcess("mesh-accel", All, "run", "--cgroup", runs.Cgroup, "--pods-from", "file:" + runs.EmptyPodsFile,
            "--pin-dir", runs.PinDir, "--interval", "0", "--health", $"127.0.0.1:{runs.Port}");
        Assert.True(run.WaitForLine("running: pods from", TimeSpan.FromSeconds(90)), run.Transcript);
        var (status, body) = await Get(runs.Port);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($"ok: mesh_connect4, mesh_connect6, mesh_getsockopt, mesh_sockops attached to {runs.Cgroup}, mesh_msg to sock_hash; 0 pod(s) in the maps\n", body);

        File.Delete(Path.Combine(runs.PinDir, "links", "mesh_connect4")); // a restarted agent could no longer adopt it
        (status, body) = await Get(runs.Port);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("no pinned link for mesh_connect4", body);
    }

    [Fact]
    public async Task Mesh_accel_restarts_adopts_and_is_uninstalled_with_the_manifests_capabilities()
    {
        Kernel.RequireRoot();
        using var runs = new AgentRuns();
        var caps = Manifests.Container("mesh-accel").SecurityContext.Capabilities.Add;
        string[] args = ["run", "--cgroup", runs.Cgroup, "--pods-from", "file:" + runs.EmptyPodsFile, "--pin-dir", runs.PinDir, "--interval", "0", "--health", $"127.0.0.1:{runs.Port}"];
        using (var first = new AgentProcess("mesh-accel", caps, args))
        {
            Assert.True(first.WaitForLine("running: pods from", TimeSpan.FromSeconds(90)), first.Transcript);
            Assert.DoesNotContain("warning", first.Transcript); // its own sockops program is not "another one"
            first.Terminate();
            Assert.True(first.WaitForExit(TimeSpan.FromSeconds(15)), first.Transcript);
        }
        // a rolling update: the next agent, with the same capabilities, adopts the pins (without CAP_SYS_ADMIN)
        using (var second = new AgentProcess("mesh-accel", caps, args))
        {
            Assert.True(second.WaitForLine("running: pods from", TimeSpan.FromSeconds(90)), second.Transcript);
            Assert.Contains("adopted mesh_msg, mesh_getsockopt, mesh_sockops, mesh_connect4, mesh_connect6", second.Transcript);
            var (status, body) = await Get(runs.Port);
            Assert.True(status == HttpStatusCode.OK, body + second.Transcript);
            second.Terminate();
            Assert.True(second.WaitForExit(TimeSpan.FromSeconds(15)), second.Transcript);
        }
        Assert.NotEmpty(Ebpf.Links.AttachedPrograms.OnCgroup(runs.Cgroup, Ebpf.Links.CgroupHook.Inet4Connect)); // fails closed

        // the cleanup Job's command with the Job's capabilities
        var jobCaps = Manifests.Load("mesh-accel-uninstall.yaml").OfType<k8s.Models.V1Job>().Single().Spec.Template.Spec.Containers.Single().SecurityContext.Capabilities.Add;
        using var uninstall = new AgentProcess("mesh-accel", jobCaps, "uninstall", "--pin-dir", runs.PinDir);
        Assert.True(uninstall.WaitForExit(TimeSpan.FromSeconds(60)), uninstall.Transcript);
        Assert.True(uninstall.ExitCode == 0, uninstall.Transcript);
        Assert.Contains("nothing of mesh-accel is attached", uninstall.Transcript);
        foreach (var hook in new[] { Ebpf.Links.CgroupHook.Inet4Connect, Ebpf.Links.CgroupHook.Inet6Connect, Ebpf.Links.CgroupHook.Getsockopt, Ebpf.Links.CgroupHook.SockOps })
            Assert.Empty(Ebpf.Links.AttachedPrograms.OnCgroup(runs.Cgroup, hook));
    }

    private static async Task<(HttpStatusCode, string)> Get(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync($"http://127.0.0.1:{port}/healthz", Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }
}
