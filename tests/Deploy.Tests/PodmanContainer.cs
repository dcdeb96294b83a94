using Ebpf.Examples.Tests.Images;
using k8s.Models;
using Ebpf.TestKit;

namespace Ebpf.Deploy.Tests;

/// <summary>
/// An agent's image run with podman as its DaemonSet runs it, the arguments derived from the parsed manifest so the two
/// cannot drift: --cap-drop all and --cap-add for each added capability (never --privileged), --read-only,
/// --user, no-new-privileges, host network or PID only when the pod spec asks, NODE_NAME for the downward API, every
/// hostPath volume bind-mounted at its mountPath (read-only as the mount says), the grace period as --stop-timeout.
/// Where this machine differs from a node, on purpose: the host cgroup2 is /sys/fs/cgroup/unified here (the hybrid-node
/// patch of docs/deploy.md), the pod's port is published on loopback, and <c>extraMounts</c> adds what a test needs.
/// The podman settings this VM needs are in ../shared/notes/containers.md. Dispose removes the container, always.
/// </summary>
internal sealed class PodmanContainer : IDisposable
{
    private static readonly string[] Global = ["--storage-driver", "vfs", "--cgroup-manager", "cgroupfs"];

    public PodmanContainer(string agent, V1PodSpec pod, IList<string>? args = null, int? publishPort = null, params (string Host, string Container, bool ReadOnly)[] extraMounts)
    {
        Name = RunPrefix.NewName(agent);
        var c = pod.Containers.Single();
        var run = new List<string>(Global) { "run", "-d", "--name", Name, "--runtime", "runc", "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096" };
        run.AddRange(PodmanPrivileges.Flags(pod));
        if (pod.HostNetwork == true)
            run.AddRange(["--network", "host"]);
        else if (publishPort is { } port)
            run.AddRange(["-p", $"127.0.0.1:{port}:{c.Ports.Single().ContainerPort}"]);
        foreach (var env in c.Env ?? [])
            run.AddRange(["-e", $"{env.Name}={EnvValue(env)}"]);
        foreach (var mount in c.VolumeMounts ?? [])
        {
            var volume = pod.Volumes.Single(v => v.Name == mount.Name);
            var host = HostPathOnThisMachine(volume.HostPath);
            run.AddRange(["-v", $"{host}:{mount.MountPath}{(mount.ReadOnlyProperty == true ? ":ro" : "")}"]);
        }
        foreach (var (host, container, ro) in extraMounts)
            run.AddRange(["-v", $"{host}:{container}{(ro ? ":ro" : "")}"]);
        if (pod.TerminationGracePeriodSeconds is { } grace)
            run.AddRange(["--stop-timeout", grace.ToString()]);
        run.Add(c.Image);
        run.AddRange(args ?? c.Args);
        Podman([.. run]).EnsureSuccess();
    }

    public string Name { get; }

    public static CommandResult Podman(params string[] args) => HostCommand.Run("podman", [.. Global, .. args], TimeSpan.FromSeconds(180));

    public static bool ImageExists(string image) => Podman("image", "exists", image).Succeeded;

    public string Logs => Podman("logs", Name) is var r ? r.StandardOutput + r.StandardError : "";

    /// <summary>`podman stop`: SIGTERM, then SIGKILL after the --stop-timeout (the manifest's grace period).</summary>
    public void Stop() => Podman("stop", Name).EnsureSuccess();

    public void Kill() => Podman("kill", "-s", "KILL", Name).EnsureSuccess();

    public void Start() => Podman("start", Name).EnsureSuccess();

    public int ExitCode => int.Parse(Podman("inspect", "--format", "{{.State.ExitCode}}", Name).EnsureSuccess().Trim());

    public bool Running => Podman("inspect", "--format", "{{.State.Running}}", Name).EnsureSuccess().Trim() == "true";

    /// <summary>The downward API's values as a node would give them.</summary>
    private static string EnvValue(V1EnvVar env) => env.ValueFrom?.FieldRef?.FieldPath switch
    {
        "spec.nodeName" => Environment.MachineName,
        null => env.Value,
        var other => throw new InvalidOperationException($"no value for fieldRef {other} in the podman run"),
    };

    /// <summary>A hostPath as it is on this machine: its cgroup2 is at /sys/fs/cgroup/unified (a hybrid node).</summary>
    private static string HostPathOnThisMachine(V1HostPathVolumeSource hostPath)
    {
        var path = hostPath.Path == "/sys/fs/cgroup" ? KernelMounts.Cgroup2Root ?? throw new InvalidOperationException("no cgroup2 mount") : hostPath.Path;
        if (hostPath.Type == "DirectoryOrCreate")
            Directory.CreateDirectory(path);
        if (!Directory.Exists(path))
            throw new InvalidOperationException($"hostPath {path} does not exist on this machine");
        return path;
    }

    /// <summary>Polls until the container has stopped, at most <paramref name="timeout"/>; true when it has.</summary>
    public bool WaitExited(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (Running && DateTime.UtcNow < until)
            Thread.Sleep(200);
        return !Running;
    }

    /// <summary>Waits (at most 60 s) until <paramref name="url"/> answers 200; fails with the container's log if it stops or never does.</summary>
    public async Task WaitOk(string url, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < until)
        {
            try
            {
                using var r = await http.GetAsync(url, ct);
                if (r.StatusCode == System.Net.HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            Assert.True(Running, $"the container stopped:\n{Logs}");
            await Task.Delay(300, ct);
        }
        Assert.Fail($"{url} did not answer 200 within 60 s:\n{Logs}");
    }

    /// <summary>
    /// The pod spec of <paramref name="agent"/>'s DaemonSet, once its image is built from this checkout (once per test
    /// run, scripts/build-images.sh), so a fresh machine runs these tests and no image from an older build stands in;
    /// without podman the test skips, or fails under CI.
    /// </summary>
    public static V1PodSpec RequireImage(string agent)
    {
        var pod = Manifests.DaemonSet(agent).Spec.Template.Spec;
        var image = pod.Containers.Single().Image;
        Ebpf.TestKit.Podman.Require();
        Ebpf.TestKit.Podman.AgentImage(agent);
        Assert.True(ImageExists(image), $"scripts/build-images.sh {agent} left no image {image}, the manifest's");
        return pod;
    }

    public void Dispose() => Podman("rm", "-f", "-t", "0", Name);
}
