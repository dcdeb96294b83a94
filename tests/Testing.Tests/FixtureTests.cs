using Ebpf.Links;

namespace Ebpf.Testing.Tests;

/// <summary>The fixtures clean up after themselves and fail a test that leaves programs attached to what they created.</summary>
public sealed class FixtureTests
{
    [BpfFact(ProgramTypes = [Ebpf.Object.ProgramType.CgroupSkb])]
    public void A_cgroup_left_with_an_attached_program_fails_and_is_still_removed()
    {
        using var skel = KitSkel.OpenAndLoad();
        var cgroup = new TempCgroup();
        using var link = skel.Programs.KitCountEgress.AttachCgroup(cgroup.Path);
        Assert.Single(cgroup.AttachedProgramsLeft());

        var leak = Assert.Throws<FixtureLeakException>(cgroup.Dispose);
        Assert.Contains("InetEgress: kit_count_egres", Assert.Single(leak.Leaks));
        Assert.Contains("Dispose every link", leak.Message);
        Assert.False(Directory.Exists(cgroup.Path), "the cgroup is removed even when it leaked");
    }

    [BpfFact(ProgramTypes = [Ebpf.Object.ProgramType.CgroupSkb])]
    public void A_cgroup_whose_links_were_disposed_first_disposes_quietly()
    {
        using var skel = KitSkel.OpenAndLoad();
        using var cgroup = new TempCgroup();
        using (skel.Programs.KitCountEgress.AttachCgroup(cgroup.Path))
            Assert.Single(cgroup.AttachedProgramsLeft());
        Assert.Empty(cgroup.AttachedProgramsLeft());
    }

    [BpfFact(ProgramTypes = [Ebpf.Object.ProgramType.Xdp])]
    public void A_veth_pair_left_with_an_xdp_program_fails_and_is_still_deleted()
    {
        using var skel = KitSkel.OpenAndLoad();
        var veth = new VethPair(null, "10.99.0.1/24", null, null);
        using var link = skel.Programs.KitRewrite.AttachXdp(veth.NameA);

        var leak = Assert.Throws<FixtureLeakException>(veth.Dispose);
        Assert.Matches($"^{veth.NameA} xdp\\w*: program id \\d+$", Assert.Single(leak.Leaks));
        Assert.False(Directory.Exists($"/sys/class/net/{veth.NameA}"), "the pair is deleted even when it leaked");
    }

    [BpfFact(ProgramTypes = [Ebpf.Object.ProgramType.Xdp])]
    public void A_namespace_left_with_an_xdp_program_on_an_interface_fails_and_is_still_deleted()
    {
        using var skel = KitSkel.OpenAndLoad();
        var ns = new NetNamespace();
        using var veth = new VethPair(null, null, ns, "10.99.1.2/24") { CheckLeaks = false }; // the namespace's check is under test
        using var link = ns.Enter(() => skel.Programs.KitRewrite.AttachXdp(veth.NameB));   // by name, resolved inside the namespace

        var leak = Assert.Throws<FixtureLeakException>(ns.Dispose);
        Assert.Matches($"^{veth.NameB} xdp\\w*: program id \\d+$", Assert.Single(leak.Leaks));
        Assert.False(File.Exists(ns.NsPath), "the namespace is deleted even when it leaked");
    }

    [BpfFact]
    public void A_namespace_runs_commands_and_managed_code_inside()
    {
        using var ns = new NetNamespace();
        using var veth = new VethPair(null, "10.99.2.1/24", ns, "10.99.2.2/24");
        Assert.Contains("10.99.2.2", ns.Check("ip", "-4", "addr", "show", "dev", veth.NameB));
        // A socket opened on a thread inside the namespace reaches a listener on end A, across the pair.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Parse("10.99.2.1"), 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var local = ns.Enter(() =>
        {
            using var client = new System.Net.Sockets.TcpClient(System.Net.Sockets.AddressFamily.InterNetwork);
            client.Connect("10.99.2.1", port);
            return ((System.Net.IPEndPoint)client.Client.LocalEndPoint!).Address.ToString();
        });
        Assert.Equal("10.99.2.2", local);
        Assert.Empty(ns.AttachedProgramsLeft());
        Assert.Empty(AttachedPrograms.OnInterface(veth.NameA, TcDirection.Ingress));
    }
}
