using Ebpf.Examples.Linux;
using Ebpf.Examples.MeshAccel.Lab;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.MeshAccel;

/// <summary>One connection of the traffic matrix: from which lab host, as whom, to where.</summary>
internal sealed record LabCall(string Name, string From, string Url, bool AsProxy = false);

/// <summary>
/// What one call gave: the app's answer ("app=pod1 port=80 peer=127.0.0.6": who answered and whom it saw) and the hops
/// the sidecars logged, "pod0 outbound -> 10.213.0.11:80" (the sidecar, its listener, the original destination it read).
/// </summary>
internal sealed record CallResult(string Body, IReadOnlyList<string> Hops)
{
    public override string ToString() => $"{Body.Trim()} | hops: {(Hops.Count == 0 ? "none" : string.Join("; ", Hops))}";
}

/// <summary>Runs calls inside a lab, each from a process started in the calling host's namespace and cgroup, as a pod's process would be.</summary>
internal static class LabTraffic
{
    public static CallResult Call(LabLayout lab, LabCall call)
    {
        var host = call.From == "node" ? lab.Node : lab.All.Single(h => h.Role == call.From);
        var before = lab.MeshedPods.ToDictionary(p => p.Role, p => HaproxySidecar.ReadLog(lab.HostDir(p)).Count);
        string[] curl = ["curl", "-sS", "-g", "--max-time", "5", call.Url];
        string[] command = call.AsProxy ? ["setpriv", "--reuid", "1337", "--regid", "1337", "--clear-groups", .. curl] : curl;
        var r = PodCommand.Run(host, TimeSpan.FromSeconds(30), command[0], command[1..]);
        var body = r.Succeeded ? r.StandardOutput : $"curl failed ({r.ExitCode}): {r.StandardError.Trim()}";
        // HAProxy logs a connection once it is forwarded (option logasap), before the answer: by now the line is written,
        // but give the log a moment so a hop that should not exist has had its chance to show.
        Thread.Sleep(150);
        var hops = lab.MeshedPods.SelectMany(pod => HaproxySidecar.ReadLog(lab.HostDir(pod)).Skip(before[pod.Role])
                .Select(l => $"{pod.Role} {l.Listener} -> {l.Server}"))
            .Order(StringComparer.Ordinal).ToArray();
        return new CallResult(body, hops);
    }
}
