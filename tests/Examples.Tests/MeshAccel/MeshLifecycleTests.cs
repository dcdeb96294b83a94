using Ebpf.Examples.Linux;
using Ebpf.Examples.MeshAccel.Commands;
using Ebpf.Examples.MeshAccel.Lab;
using Ebpf.Examples.Sockredir;
using Ebpf.Links;
using Xunit;

namespace Ebpf.Examples.Tests.MeshAccel;

/// <summary>
/// The agent fails closed: killing it leaves interception on; a new agent adopts the pins and catches up with pods that
/// changed meanwhile; only `uninstall` ends interception, and leaves nothing attached or pinned.
/// </summary>
[Collection(MeshAccelCollection.Name)]
public sealed class MeshLifecycleTests
{
    private static readonly LabCall PodToPod = new("pod0 to pod1", "pod0", "http://10.213.0.11/");

    [Fact]
    public void KilledAgentKeepsInterceptingRestartAdoptsAndCatchesUpUninstallRemovesEverything()
    {
        using var lab = new LabUnderTest(LabMode.Ebpf);
        var layout = lab.Layout;
        Assert.Equal(["pod0 outbound -> 10.213.0.11:80", "pod1 inbound -> 10.213.0.11:80"], LabTraffic.Call(layout, PodToPod).Hops);

        var firstAgents = PinnedLinks(lab);
        Assert.Equal(5, firstAgents.Count);

        lab.Agent!.Signal(Posix.SigKill);
        Assert.True(lab.Agent.WaitForExit(TimeSpan.FromSeconds(10)));
        // No agent: new connections are still intercepted, from the pinned links and maps.
        Assert.Equal(["pod0 outbound -> 10.213.0.11:80", "pod1 inbound -> 10.213.0.11:80"], LabTraffic.Call(layout, PodToPod).Hops);

        // Meanwhile pod1 loses its sidecar; the next agent adopts the pins and picks the change up.
        lab.Lab.WritePodsFile(layout.Pods.Select(p => p.Role == "pod1" ? p.ToPod() with { Sidecar = false } : p.ToPod()));
        var agent = lab.StartAgent();
        Assert.Contains("adopted mesh_msg, mesh_getsockopt, mesh_sockops, mesh_connect4, mesh_connect6", agent.Transcript);
        // The same links (ids, pins), now running the new agent's programs (BPF_LINK_UPDATE): an upgraded agent's
        // programs take over without a moment unattached.
        var secondAgents = PinnedLinks(lab);
        Assert.Equal(firstAgents.Keys.Order(), secondAgents.Keys.Order());
        foreach (var (name, (link, program)) in firstAgents)
        {
            Assert.Equal(link, secondAgents[name].Link);
            Assert.NotEqual(program, secondAgents[name].Program);
        }
        var after = LabTraffic.Call(layout, PodToPod);
        Assert.Equal(["pod0 outbound -> 10.213.0.11:80"], after.Hops);
        Assert.Equal("app=pod1 port=80 peer=10.213.0.10", after.Body.Trim());

        using (var uninstall = new AppRun("mesh-accel.dll", "uninstall", "--pin-dir", lab.Pins.Dir))
        {
            Assert.True(uninstall.WaitForExit(TimeSpan.FromSeconds(60)));
            Assert.True(uninstall.ExitCode == 0, uninstall.Transcript);
            Assert.Contains("nothing of mesh-accel is attached", uninstall.Transcript);
        }
        Assert.True(agent.WaitForExit(TimeSpan.FromSeconds(10)), "uninstall did not stop the running agent");
        Assert.False(Directory.Exists(lab.Pins.Dir), $"{lab.Pins.Dir} is left");
        Assert.Empty(UninstallCommand.LeftAttached(layout.MeshCgroup));
        var plain = LabTraffic.Call(layout, PodToPod);
        Assert.Empty(plain.Hops);
        Assert.Equal("app=pod1 port=80 peer=10.213.0.10", plain.Body.Trim());
    }

    /// <summary>Each pinned link's kernel id and the id of the program it runs, by pin name.</summary>
    private static Dictionary<string, (uint Link, uint Program)> PinnedLinks(LabUnderTest lab) =>
        Directory.EnumerateFiles(lab.Pins.Links).ToDictionary(pin => Path.GetFileName(pin), pin =>
        {
            using var link = BpfLink.OpenPinned(pin);
            return (link.Id, link.Program.Id);
        });

    [Fact]
    public void AnotherSockOpsProgramOnTheCgroupIsReported()
    {
        using var lab = new LabUnderTest(LabMode.Ebpf, startAgent: false);
        using var sockredir = SockredirSkel.OpenAndLoad();
        using var link = sockredir.Programs.SockredirSockops.AttachCgroup(lab.Layout.MeshCgroup);
        var agent = lab.StartAgent();
        var warning = agent.LineWith("another sock_ops program runs for");
        Assert.True(warning is not null, agent.Transcript);
        Assert.Contains("sockredir_soc", warning); // kernel program names are cut at 15 characters
        Assert.Contains("run only one of them on a node", warning);
    }
}
