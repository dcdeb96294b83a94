using Ebpf.Examples.MeshAccel.Commands;
using Ebpf.Examples.Tests.MeshAccel;
using Ebpf.TestKit;
using k8s;
using k8s.Models;
using static Ebpf.Examples.Tests.MeshAccel.ReplayedApiServer;

namespace Ebpf.Examples.Tests.Images;

/// <summary>
/// The mesh-accel image makes HTTPS requests: the agent runs in its FROM-scratch image (scripts/build-images.sh) with
/// `--pods-from kubernetes` against the replayed API server behind a TLS front on loopback (a self-signed CA given in the
/// kubeconfig), so its list and its watch go through .NET's TLS, which opens libssl and libcrypto with dlopen: if the
/// image lacked them, nothing would be listed. Then `podman stop` and `mesh-accel uninstall` from the same image.
/// Both containers get their manifest's privileges (the DaemonSet's and the cleanup Job's capabilities, nothing else,
/// seccomp unconfined, read-only root), not --privileged; but host network, which the DaemonSet does not ask for,
/// because the replayed API server listens on the host's loopback only.
/// </summary>
[Collection(MeshAccelCollection.Name)]
public sealed class MeshAccelImageTlsTests
{
    private const string Node = "node-a";

    [Fact]
    public void The_agent_in_its_image_lists_and_watches_pods_over_https()
    {
        Podman.Require();
        var image = Podman.AgentImage("mesh-accel");
        using var cgroup = new TempCgroup("meshimg");
        using var pins = new BpfFs("meshimg");
        var work = Directory.CreateTempSubdirectory(RunPrefix.NewName("meshimg"));
        var hostnet = Pod("hostnet", Node, "94", ["10.213.0.1"], ["agent", "istio-proxy"], hostNetwork: true);
        var elsewhere = Pod("elsewhere", "node-b", "93", ["10.213.0.99"], ["app", "istio-proxy"]);
        var watched = Pod("watched", Node, "101", ["10.213.0.2"], ["agent", "istio-proxy"], hostNetwork: true);
        using var api = new ReplayedApiServer([PodList("100", hostnet, elsewhere)], [[Event("ADDED", watched)]]);
        using var tls = new TlsFront(api.Port);
        var kubeconfig = api.WriteKubeconfig(Path.Combine(work.FullName, "kubeconfig"), tls.Url, tls.CertificatePem);
        var name = RunPrefix.NewName("meshimg");
        // As the DaemonSet and the uninstall Job mount them: the host's cgroup2, bpffs, and /run/mesh-accel (the
        // installation's state, which the agent writes and uninstall reads); hostPID too, as the manifest has it.
        Directory.CreateDirectory("/run/mesh-accel");
        string[] mounts =
        [
            "-v", "/run/mesh-accel:/run/mesh-accel", "-v", $"{cgroup.Root}:/host/cgroup", "-v", $"{BpfFs.EnsureMounted()}:/sys/fs/bpf", "-v", $"{kubeconfig}:/etc/mesh-accel/kubeconfig:ro",
        ];
        using var agent = AppRun.Program("podman", Podman.Command(
            ["run", "--rm", "--name", name, .. Podman.RunOptions(), .. Privileges("mesh-accel.yaml"), "--network", "host", .. mounts, image,
             "run", "--cgroup", $"/host/cgroup/{Path.GetFileName(cgroup.Path)}", "--pods-from", "kubernetes", "--node", Node,
             "--kubeconfig", "/etc/mesh-accel/kubeconfig", "--pin-dir", pins.Path, "--interval", "0"]));
        try
        {
            Assert.True(agent.WaitForLine("pod default/watched left out: hostNetwork", TimeSpan.FromSeconds(90)) is not null, agent.Transcript);
            var log = agent.Transcript;
            Assert.Contains("listed 0 pod(s) of node node-a at resourceVersion 100", log);
            Assert.Contains("pod default/hostnet left out: hostNetwork", log);
            Assert.DoesNotContain("elsewhere", log);
            Assert.True(tls.Handshakes >= 2, $"{tls.Handshakes} TLS handshake(s)");
            Assert.Contains(api.Requests, r => r.StartsWith("/api/v1/pods?", StringComparison.Ordinal) && r.Contains("watch=true"));

            Assert.True(Podman.Run(["stop", "--time", "20", name]).Succeeded);
            Assert.True(agent.WaitForExit(TimeSpan.FromSeconds(30)), agent.Transcript);
            var uninstall = Podman.Run(["run", "--rm", .. Podman.RunOptions(), .. Privileges("mesh-accel-uninstall.yaml"), "--network", "host", .. mounts, image,
                                        "uninstall", "--pin-dir", pins.Path]);
            Assert.True(uninstall.Succeeded, uninstall.StandardError + uninstall.StandardOutput);
            Assert.Contains("mesh-accel: removed", uninstall.StandardOutput);
            Assert.Empty(UninstallCommand.LeftAttached(cgroup.Path));
            Assert.False(Directory.Exists(pins.Path) && Directory.EnumerateFileSystemEntries(pins.Path).Any(), "pins left behind");
        }
        finally
        {
            Podman.Run(["rm", "--force", name]);
            work.Delete(recursive: true);
        }
    }

    /// <summary>The podman flags for the privileges of the one container in deploy/kubernetes/FILE's DaemonSet or Job.</summary>
    private static string[] Privileges(string file)
    {
        var objects = KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "kubernetes", file)), strict: true);
        var pod = objects.OfType<V1DaemonSet>().Select(d => d.Spec.Template.Spec)
            .Concat(objects.OfType<V1Job>().Select(j => j.Spec.Template.Spec)).Single();
        Assert.Equal(["ALL"], pod.Containers.Single().SecurityContext.Capabilities.Drop);
        return [.. PodmanPrivileges.Flags(pod)];
    }
}
