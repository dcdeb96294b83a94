using System.Text.Json;
using k8s.Models;
using Ebpf.Examples.MeshAccel.Mesh;
using Ebpf.Examples.Tests.MeshAccel;
using Ebpf.TestKit;

namespace Ebpf.Deploy.Tests;

/// <summary>
/// mesh-accel's image run with podman as its DaemonSet runs it (<see cref="PodmanContainer"/>: the manifest's
/// capabilities, hostPID, mounts, environment and grace period), meshing a lab (<see cref="LabUnderTest"/> in eBPF mode,
/// without an agent of its own). The manifest's args, with two changes, because this machine has no cluster and the
/// test may touch only what it creates:
/// <list type="bullet">
/// <item>`--pods-from file:` instead of `kubernetes`: no API server runs here. The file lists the lab's pods as the API
/// would (addresses, sidecar, annotations), in a directory of the test mounted read-only (a directory, so a rewrite, which
/// is a rename, shows inside). Each pod's namespace is given as /proc/PID/ns/net of a process in it, which the agent opens
/// as it opens the ones it finds from the API's addresses: through hostPID, with CAP_SYS_PTRACE. Not left to be found by
/// address, because other labs (other tests, other checkouts) may hold the same addresses at the same time.</item>
/// <item>`--cgroup`: the lab's cgroup, named below the host cgroup2 mount (/host/cgroup/PATH-BELOW-THE-ROOT), instead of
/// the whole node; `--pin-dir`: the lab's own directory in /sys/fs/bpf (the host's, mounted), instead of the default.</item>
/// </list>
/// Dispose removes the container and the pods directory; the lab's Dispose uninstalls and takes the lab down.
/// </summary>
internal sealed class MeshAccelInContainer : IDisposable
{
    /// <summary>Where the pods directory is mounted in the container.</summary>
    public const string PodsMount = "/etc/mesh-accel/pods";

    private readonly string podsDir = Directory.CreateTempSubdirectory(RunPrefix.NewName("meshpods")).FullName;

    public MeshAccelInContainer(LabUnderTest lab, V1PodSpec pod)
    {
        try
        {
            WritePods(lab.Layout.Pods.Select(p => p.ToPod()));
            var args = pod.Containers.Single().Args.ToList();
            var i = args.IndexOf("--pods-from");
            Assert.Equal("kubernetes", args[i + 1]);
            args[i + 1] = $"file:{PodsMount}/pods.json";
            Assert.Equal(AgentFacts.HostCgroupMount, args[args.IndexOf("--cgroup-root") + 1]);
            Cgroup = InContainer(lab.Layout.MeshCgroup);
            args.AddRange(["--cgroup", Cgroup, "--pin-dir", lab.Pins.Dir]);
            Container = new PodmanContainer("mesh-accel", pod, args, Port, (podsDir, PodsMount, true));
        }
        catch
        {
            Directory.Delete(podsDir, recursive: true);
            throw;
        }
    }

    public PodmanContainer Container { get; }

    /// <summary>The lab's cgroup as the agent names it, below /host/cgroup.</summary>
    public string Cgroup { get; }

    /// <summary>The loopback port the container's health port is published on.</summary>
    public int Port { get; } = AgentRuns.FreePort();

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    /// <summary>Until /readyz answers 200: the programs are attached and the pods file is in the maps.</summary>
    public Task WaitReady(CancellationToken ct) => Container.WaitOk(Url("/readyz"), ct);

    /// <summary>A host cgroup as the agent sees it: below the host cgroup2 hierarchy, which the manifest mounts at /host/cgroup.</summary>
    public static string InContainer(string hostCgroup) =>
        AgentFacts.HostCgroupMount + "/" + Path.GetRelativePath(KernelMounts.Cgroup2Root ?? throw new InvalidOperationException("no cgroup2 mount"), hostCgroup);

    /// <summary>The pods file the agent reads, each pod's namespace as /proc/PID/ns/net of a process in it; replaced whole.</summary>
    public void WritePods(IEnumerable<PodSpec> pods)
    {
        var list = new PodList { Pods = pods.Select(p => p with { Netns = $"/proc/{ProcessIn(p.Netns!)}/ns/net" }).ToArray() };
        var file = Path.Combine(podsDir, "pods.json");
        File.WriteAllText(file + ".tmp", JsonSerializer.Serialize(list, MeshJson.Default.PodList));
        File.Move(file + ".tmp", file, overwrite: true);
    }

    /// <summary>The lowest pid in the named namespace (the lab's nginx master or HAProxy, which run as long as the lab).</summary>
    private static int ProcessIn(string netns) =>
        HostCommand.Check("ip", "netns", "pids", netns).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).Min();

    public void Dispose()
    {
        try
        {
            Container.Dispose();
        }
        finally
        {
            Directory.Delete(podsDir, recursive: true);
        }
    }
}
