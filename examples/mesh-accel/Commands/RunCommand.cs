using System.CommandLine;
using System.Runtime.InteropServices;
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
        var cgroup = new Option<string?>("--cgroup") { Description = "cgroup v2 to attach to (default: the cgroup2 root, the whole node); a relative path is taken under the cgroup2 mount" };
        var podsFrom = new Option<string>("--pods-from") { Description = "lab | kubernetes | file:PATH", DefaultValueFactory = _ => "lab" };
        var node = new Option<string?>("--node") { Description = "this node's name, for --pods-from kubernetes (default: $NODE_NAME, then the host name)" };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "kubeconfig for --pods-from kubernetes (default: in-cluster, then ~/.kube/config)" };
        var lab = new Option<string>("--lab") { Description = "the lab's prefix, for --pods-from lab", DefaultValueFactory = _ => LabLayout.DefaultPrefix };
        var pinDir = new Option<string>("--pin-dir") { Description = "where links and maps are pinned", DefaultValueFactory = _ => PinLayout.DefaultDir };
        var noSplice = new Option<bool>("--no-splice") { Description = "redirect only: put no socket into the sockmap (for comparison)" };
        var maxConnections = new Option<uint>("--max-connections") { Description = "entries of the per-connection LRU maps", DefaultValueFactory = _ => ConnectionLimits.Default };
        var interval = new Option<double>("--interval") { Description = "seconds between counter lines; 0: none", DefaultValueFactory = _ => 1 };
        var cmd = new Command("run", "attach (or adopt) the interception programs and keep the node's pods in their maps")
        {
            cgroup, podsFrom, node, kubeconfig, lab, pinDir, noSplice, maxConnections, interval,
        };
        cmd.SetAction(r => Run(r.GetValue(cgroup), r.GetValue(podsFrom)!, r.GetValue(node), r.GetValue(kubeconfig), r.GetValue(lab)!, new PinLayout(r.GetValue(pinDir)!),
                               !r.GetValue(noSplice), r.GetValue(maxConnections), r.GetValue(interval), new RunningKernel()));
        return cmd;
    }

    public static int Run(string? cgroup, string podsFrom, string? node, string? kubeconfig, string lab, PinLayout pins, bool splice, uint maxConnections, double interval, IKernelCheck kernel)
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
        using var plane = MeshDataPlane.Install(cgroup ?? Cgroups.Root(), pins, splice, kernel, maxConnections);
        File.WriteAllText(pins.AgentPidFile, Environment.ProcessId + "\n");
        Log($"attached to cgroup {plane.Cgroup}" + (plane.Cgroup == Cgroups.Root() ? " (the whole node)" : "") +
            (plane.Attached.Count > 0 ? $"; attached {string.Join(", ", plane.Attached)}" : "") +
            (plane.Adopted.Count > 0 ? $"; adopted {string.Join(", ", plane.Adopted)} left pinned by an earlier agent" : "") +
            $"; pinned in {pins.Dir}");
        foreach (var other in AttachedPrograms.OnCgroup(plane.Cgroup, CgroupHook.SockOps, effective: true).Where(p => p.Name != "mesh_sockops"))
            Log($"warning: another sock_ops program runs for {plane.Cgroup}: {other}. A second sockmap user (such as sockredir) on the same cgroup can take mesh-accel's sockets; run only one of them on a node");

        var sync = new PodMapSync(plane.Skel, Log);
        var gate = new object();
        var watcher = Task.Run(async () =>
        {
            await foreach (var pods in source.Watch(stop.Token))
                lock (gate)
                    sync.Apply(pods);
        });
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

    private static void Log(string line) => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} mesh-accel: {line}");
}
