using System.CommandLine;
using Ebpf.Examples.MeshAccel.Agent;
using Ebpf.Links;

namespace Ebpf.Examples.MeshAccel.Commands;

/// <summary>
/// `mesh-accel uninstall`: the only way interception ends. Stops a running agent (SIGTERM), removes every pin (links
/// first, so the programs detach, then the maps) and checks that no mesh-accel program is left on the cgroup.
/// </summary>
internal static class UninstallCommand
{
    public static Command Build()
    {
        var pinDir = new Option<string>("--pin-dir") { Description = "where mesh-accel is pinned", DefaultValueFactory = _ => PinLayout.DefaultDir };
        var cmd = new Command("uninstall", "stop the agent, detach every program and remove every pin") { pinDir };
        cmd.SetAction(r => Run(new PinLayout(r.GetValue(pinDir)!)));
        return cmd;
    }

    public static int Run(PinLayout pins)
    {
        CommandLine.RequireRoot("uninstall");
        var cgroup = pins.InstalledCgroup;
        var ids = pins.ReadProgramIds().Values.ToHashSet(); // read before the state goes with the pins
        if (pins.RunningAgent is { } pid)
        {
            Console.WriteLine($"mesh-accel: stopping the agent (pid {pid})");
            // The agent's descriptors would keep the links attached after the pins go; it exits on SIGTERM.
            if (Posix.Signal(pid, Posix.SigTerm) && !Posix.WaitGone(pid, TimeSpan.FromSeconds(10)))
                Posix.Signal(pid, Posix.SigKill);
            Posix.WaitGone(pid, TimeSpan.FromSeconds(5));
        }
        var removed = MeshDataPlane.Uninstall(pins);
        if (removed.Count == 0)
        {
            Console.WriteLine($"mesh-accel: nothing was installed in {pins.Dir}");
            return 0;
        }
        Console.WriteLine($"mesh-accel: removed {removed.Count} pin(s) from {pins.Dir}");
        if (cgroup is not null && Directory.Exists(cgroup))
        {
            var left = LeftAttached(cgroup, ids);
            if (left.Count > 0)
                throw new ToolException($"still attached to {cgroup} after removing the pins: {string.Join(", ", left)} (a process still holds their links open)");
            Console.WriteLine($"mesh-accel: nothing of mesh-accel is attached to {cgroup} any more");
        }
        return 0;
    }

    /// <summary>
    /// mesh-accel's programs still attached to <paramref name="cgroup"/>, on any of its hooks: those with one of the
    /// recorded <paramref name="ids"/>, and those whose kernel name says so (names are readable with CAP_SYS_ADMIN only).
    /// </summary>
    public static IReadOnlyList<string> LeftAttached(string cgroup, IReadOnlySet<uint>? ids = null) =>
        new[] { CgroupHook.Inet4Connect, CgroupHook.Inet6Connect, CgroupHook.Getsockopt, CgroupHook.SockOps }
            .SelectMany(t => AttachedPrograms.OnCgroup(cgroup, t))
            .Where(p => ids?.Contains(p.Id) == true || p.Name?.StartsWith("mesh_", StringComparison.Ordinal) == true)
            .Select(p => p.ToString()).ToArray();
}
