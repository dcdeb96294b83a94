using System.Diagnostics;
using Ebpf.Examples.MeshAccel.Lab;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.MeshAccel;

/// <summary>
/// Commands run as a process of a lab pod: in its network namespace and, for a pod with a cgroup, in that cgroup from
/// its first instruction (so the mesh's cgroup programs see its first socket). Started through TestKit's runner.
/// </summary>
internal static class PodCommand
{
    /// <summary>Starts <paramref name="file"/> in <paramref name="host"/>'s pod; the caller owns the process.</summary>
    public static Process Start(LabHost host, string file, params string[] args)
    {
        string[] inNetns = ["netns", "exec", host.Netns, file, .. args];
        return host.Cgroup is null ? HostCommand.Start("ip", inNetns) : TempCgroup.StartIn(host.Cgroup, "ip", inNetns);
    }

    /// <summary>Runs <paramref name="file"/> in <paramref name="host"/>'s pod to completion (killed after <paramref name="timeout"/>).</summary>
    public static CommandResult Run(LabHost host, TimeSpan timeout, string file, params string[] args) =>
        HostCommand.Finish(Start(host, file, args), $"[{host.Role}] {file} {string.Join(' ', args)}", timeout);

    /// <summary>curl in <paramref name="host"/>'s pod (silent, at most 120 s): what it wrote to stdout.</summary>
    public static string Curl(LabHost host, params string[] args) =>
        Run(host, TimeSpan.FromMinutes(3), "curl", ["-s", "-g", "--max-time", "120", .. args]).StandardOutput;
}
