using System.CommandLine;
using Ebpf.Examples.MeshAccel.Lab;
using Ebpf.Examples.MeshAccel.Linux;

namespace Ebpf.Examples.MeshAccel.Commands;

/// <summary>`mesh-accel lab up|down`: the one-node lab of pods with HAProxy sidecars, in eBPF or iptables mode.</summary>
internal static class LabCommand
{
    public static Command Build()
    {
        var prefix = new Option<string>("--prefix") { Description = "name prefix of the lab's namespaces and cgroup", DefaultValueFactory = _ => LabLayout.DefaultPrefix };
        var pods = new Option<int>("--pods") { Description = "meshed pods (besides the pod without a sidecar)", DefaultValueFactory = _ => 3 };
        var mode = new Option<string>("--mode") { Description = "ebpf: intercepted by `mesh-accel run`; iptables: istio-iptables' rules in each meshed pod", DefaultValueFactory = _ => "ebpf" };
        mode.AcceptOnlyFromAmong("ebpf", "iptables");
        var up = new Command("up", "make the lab: pods (namespaces on a bridge, cgroups), nginx apps, HAProxy sidecars") { prefix, pods, mode };
        up.SetAction(r =>
        {
            CommandLine.RequireRoot("lab up");
            var lab = new MeshLab(new LabLayout(r.GetValue(prefix)!, r.GetValue(pods), Cgroups.Root()));
            var m = r.GetValue(mode) == "iptables" ? LabMode.Iptables : LabMode.Ebpf;
            lab.Up(m);
            Console.Write(lab.Describe(m));
            return 0;
        });
        var downPrefix = new Option<string>("--prefix") { Description = "the lab's prefix", DefaultValueFactory = _ => LabLayout.DefaultPrefix };
        var down = new Command("down", "remove every namespace, process, cgroup and file of the lab") { downPrefix };
        down.SetAction(r =>
        {
            CommandLine.RequireRoot("lab down");
            var removed = new MeshLab(new LabLayout(r.GetValue(downPrefix)!, 40, Cgroups.Root())).Down();
            Console.WriteLine(removed.Count == 0 ? $"no lab '{r.GetValue(downPrefix)}' was up" : $"removed {string.Join(", ", removed)}");
            return 0;
        });
        return new Command("lab", "a one-node lab to try and test mesh-accel against istio-iptables") { up, down };
    }
}
