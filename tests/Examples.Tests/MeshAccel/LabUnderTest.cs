using Ebpf.Examples.MeshAccel.Agent;
using Ebpf.Examples.MeshAccel.Lab;
using Ebpf.Examples.MeshAccel.Linux;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.MeshAccel;

/// <summary>
/// A mesh-accel lab made for one test, named with the test run's prefix (so a crashed run's leftovers are swept), in
/// iptables mode (istio-iptables' rules) or eBPF mode (with `mesh-accel run` started as a user starts it, pinned under a
/// directory of its own). Dispose stops the agent, uninstalls its pins, and takes the lab down, also after a failure.
/// </summary>
internal sealed class LabUnderTest : IDisposable
{
    private AppRun? agent;

    public LabUnderTest(LabMode mode, int meshedPods = 3, bool startAgent = true, params string[] agentArgs)
    {
        Kernel.RequireRoot();
        RunPrefix.EnsureSwept();
        Mode = mode;
        Layout = new LabLayout(RunPrefix.NewName(mode == LabMode.Ebpf ? "e" : "i"), meshedPods, Cgroups.Root());
        Pins = new PinLayout($"/sys/fs/bpf/{Layout.Prefix}");
        Lab = new MeshLab(Layout);
        try
        {
            Lab.Up(mode);
            if (mode == LabMode.Ebpf && startAgent)
                StartAgent(agentArgs);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public LabMode Mode { get; }
    public LabLayout Layout { get; }
    public MeshLab Lab { get; }
    public PinLayout Pins { get; }
    public AppRun? Agent => agent;

    /// <summary>Starts `mesh-accel run` on the lab's cgroup and waits until it says the pods are in its maps.</summary>
    public AppRun StartAgent(params string[] extra)
    {
        agent?.Dispose();
        agent = new AppRun("mesh-accel.dll", ["run", "--cgroup", Layout.MeshCgroup, "--pods-from", "lab", "--lab", Layout.Prefix,
                                              "--pin-dir", Pins.Dir, "--interval", "0", .. extra]);
        if (agent.WaitForLine("mesh-accel: running:", TimeSpan.FromSeconds(60)) is null)
            throw new InvalidOperationException($"mesh-accel run did not start:\n{agent.Transcript}");
        return agent;
    }

    public void Dispose()
    {
        agent?.Dispose();
        try
        {
            MeshDataPlane.Uninstall(Pins);
        }
        finally
        {
            Lab.Down();
        }
    }
}
