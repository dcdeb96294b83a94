using System.CommandLine;
using System.Runtime.InteropServices;
using Ebpf.Examples.Health;
using Ebpf.Examples.MeshAccel.Agent;
using Ebpf.Examples.MeshAccel.Lab;
using Ebpf.Examples.MeshAccel.Linux;
using Ebpf.Examples.MeshAccel.Mesh;
using Ebpf.Links;

namespace Ebpf.Examples.MeshAccel.Commands;

/// <summary>
/// `mesh-accel run`: install (or adopt) the programs on a cgroup, keep the pod maps equal to the pod source, print
/// counters. Logs to stdout, one line per event, so it runs as a DaemonSet's container as it is. On SIGTERM/SIGINT it
/// stops and leaves everything pinned: interception goes on without an agent (fails closed) until `uninstall`.
/// </summary>
internal static class RunCommand
{
    public static Command Build()
    {
        var cgroup = new Option<string?>("--cgroup") { Description = "cgroup v2 to attach to (default: the cgroup2 root, the whole node); a relative path is taken under the cgroup2 root" };
        var cgroupRoot = new Option<string?>("--cgroup-root") { Description = "the cgroup v2 hierarchy's root (default: where cgroup2 is mounted; in a pod, the host's, mounted at a path of its own such as /host/cgroup)", HelpName = "DIR" };
        var health = HealthOption.Create();
        var podsFrom = new Option<string>("--pods-from") { Description = "lab | kubernetes | file:PATH", DefaultValueFactory = _ => "lab" };
        var node = new Option<string?>("--node") { Description = "this node's name, for --pods-from kubernetes (default: $NODE_NAME, then the host name)" };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "kubeconfig for --pods-from kubernetes (default: in-cluster, then ~/.kube/config)" };
        var lab = new Option<string>("--lab") { Description = "the lab's prefix, for --pods-from lab", DefaultValueFactory = _ => LabLayout.DefaultPrefix };
        var pinDir = new Option<string>("--pin-dir") { Description = "where links and maps are pinned", DefaultValueFactory = _ => PinLayout.DefaultDir };
        var noSplice = new Option<bool>("--no-splice") { Description = "redirect only: put no socket into the sockmap (for comparison)" };
        var unspliceAfter = new Option<uint>("--unsplice-after") { Description = "stop splicing connections to a destination after this many short ones in a row (counted at both sidecars); 0: splice every connection", DefaultValueFactory = _ => SplicePolicy.DefaultUnspliceAfter };
        var maxConnections = new Option<uint>("--max-connections") { Description = "entries of the per-connection LRU maps", DefaultValueFactory = _ => ConnectionLimits.Default };
        var interval = new Option<double>("--interval") { Description = "seconds between counter lines; 0: none", DefaultValueFactory = _ => 1 };
        var cmd = new Command("run", "attach (or adopt) the interception programs and keep the node's pods in their maps")
        {
            cgroup, cgroupRoot, health, podsFrom, node, kubeconfig, lab, pinDir, noSplice, unspliceAfter, maxConnections, interval,
        };
        cmd.SetAction(r =>
        {
            if (r.GetValue(cgroupRoot) is { } root)
                Cgroups.UseRoot(root);
            return Run(r.GetValue(cgroup), r.GetValue(podsFrom)!, r.GetValue(node), r.GetValue(kubeconfig), r.GetValue(lab)!, new PinLayout(r.GetValue(pinDir)!),
                       !r.GetValue(noSplice), r.GetValue(maxConnections), r.GetValue(interval), new RunningKernel(), r.GetValue(health),
                       r.GetValue(unspliceAfter));
        });
        return cmd;
    }

    public static int Run(string? cgroup, string podsFrom, string? node, string? kubeconfig, string lab, PinLayout pins, bool splice, uint maxConnections, double interval, IKernelCheck kernel, string? health = null,
                          uint unspliceAfter = SplicePolicy.DefaultUnspliceAfter)
    {
        CommandLine.RequireRoot("run");
        using var stop = new CancellationTokenSource();
        void Stop(PosixSignalContext c)
        {
            c.Cancel = true; // fall out of the loop and close descriptors; the pins stay
            stop.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        // The source is checked before anything is attached: a bad file or an unknown lab changes nothing.
        var source = PodSources.Create(podsFrom, lab, node, kubeconfig, Log);
        using var plane = MeshDataPlane.Install(cgroup ?? Cgroups.Root(), pins, splice, kernel, maxConnections, unspliceAfter);
        File.WriteAllText(pins.AgentPidFile, Environment.ProcessId + "\n");
        Log($"attached to cgroup {plane.Cgroup}" + (plane.Cgroup == Cgroups.Root() ? " (the whole node)" : "") +
            (plane.Attached.Count > 0 ? $"; attached {string.Join(", ", plane.Attached)}" : "") +
            (plane.Adopted.Count > 0 ? $"; adopted {string.Join(", ", plane.Adopted)} left pinned by an earlier agent, now running this agent's programs" : "") +
            $"; pinned in {pins.Dir}");
        // by id: the kernel's names are readable with CAP_SYS_ADMIN only
        var ownSockops = plane.ProgramIds.GetValueOrDefault("mesh_sockops");
        foreach (var other in AttachedPrograms.OnCgroup(plane.Cgroup, CgroupHook.SockOps, effective: true).Where(p => p.Id != ownSockops && p.Name != "mesh_sockops"))
            Log($"warning: another sock_ops program runs for {plane.Cgroup}: {other}. A second sockmap user (such as sockredir) on the same cgroup can take mesh-accel's sockets; run only one of them on a node");

        var sync = new PodMapSync(plane.Skel, Log);
        var gate = new object();
        var watcher = Task.Run(async () =>
        {
            await foreach (var pods in source.Watch(stop.Token))
                lock (gate)
                    sync.Apply(pods);
        });
        // Served from here on: live while attached, ready once the first pod set is in the maps.
        using var endpoint = health is null ? null : new HealthEndpoint(health, () => Health(plane, sync));
        if (endpoint is not null)
            Log($"health at {endpoint.Url}");
        // The first set is in the maps before the agent says it runs.
        while (!watcher.IsCompleted && !sync.Applied && !stop.IsCancellationRequested)
            Thread.Sleep(20);
        if (watcher.IsFaulted)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(watcher.Exception!.InnerException!).Throw();
        Log($"running: pods from {source.Description}; {sync.Pods.Count} pod(s) in the maps; SIGTERM or Ctrl+C stops the agent, not the interception");

        var last = MeshStats.Read(plane.Skel.Maps.Stats);
        var period = interval > 0 ? TimeSpan.FromSeconds(interval) : Timeout.InfiniteTimeSpan;
        if (interval > 0)
            Log("counters per interval: redirected (to own sidecar / to pod's sidecar / sidecar to own pod), SO_ORIGINAL_DST answered, spliced MB, bypassed");
        while (!stop.Token.WaitHandle.WaitOne(period))
        {
            if (watcher.IsFaulted)
                break;
            var now = MeshStats.Read(plane.Skel.Maps.Stats);
            var d = now.Since(last);
            last = now;
            Log($"redirected {d[MeshAccelSkel.MeshStat.StatConnectOutbound]}/{d[MeshAccelSkel.MeshStat.StatConnectInbound]}/{d[MeshAccelSkel.MeshStat.StatConnectSelf]}  " +
                $"orig-dst answered {d[MeshAccelSkel.MeshStat.StatSockoptAnswered]}  spliced {d[MeshAccelSkel.SpliceStat.StatRedirectedBytes] / 1e6:0.00} MB  bypassed {d[MeshAccelSkel.MeshStat.StatConnectBypassed]}");
        }
        stop.Cancel();
        try { watcher.Wait(TimeSpan.FromSeconds(5)); }
        catch (AggregateException e) when (e.InnerException is ToolException or OperationCanceledException)
        {
            if (e.InnerException is ToolException t)
                Log($"pod source failed: {t.Message}");
        }
        File.Delete(pins.AgentPidFile);
        Log($"stopped; interception stays installed on {plane.Cgroup} (fails closed); `mesh-accel uninstall` removes it");
        return 0;
    }

    /// <summary>
    /// For --health: attached while every pinned link is there and the kernel lists mesh-accel's four cgroup programs (by
    /// their recorded ids) on the cgroup; ready once the first pod set is in the maps too.
    /// </summary>
    private static HealthReport Health(MeshDataPlane plane, PodMapSync sync)
    {
        string[] hooks = ["mesh_connect4", "mesh_connect6", "mesh_getsockopt", "mesh_sockops"];
        var missingPins = hooks.Append("mesh_msg").Where(p => !File.Exists(plane.Pins.Link(p))).ToArray();
        if (missingPins.Length > 0)
            return new HealthReport(false, $"no pinned link for {string.Join(", ", missingPins)} in {plane.Pins.Links}");
        var unknown = hooks.Where(h => !plane.ProgramIds.ContainsKey(h)).ToArray();
        if (unknown.Length > 0)
            return new HealthReport(false, $"the program ids of {string.Join(", ", unknown)} are not recorded in {plane.Pins.ProgramIdsFile}");
        var attached = new[] { CgroupHook.Inet4Connect, CgroupHook.Inet6Connect, CgroupHook.Getsockopt, CgroupHook.SockOps }
            .SelectMany(t => AttachedPrograms.OnCgroup(plane.Cgroup, t)).Select(p => p.Id).ToHashSet();
        var missing = hooks.Where(h => !attached.Contains(plane.ProgramIds[h])).ToArray();
        if (missing.Length > 0)
            return new HealthReport(false, $"{string.Join(", ", missing)} not attached to {plane.Cgroup}");
        if (!sync.Applied)
            return new HealthReport(true, "programs attached, but the first pod set is not in the maps yet", Ready: false);
        return new HealthReport(true, $"{string.Join(", ", hooks)} attached to {plane.Cgroup}, mesh_msg to sock_hash; {sync.Pods.Count} pod(s) in the maps");
    }

    private static void Log(string line) => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} mesh-accel: {line}");
}
