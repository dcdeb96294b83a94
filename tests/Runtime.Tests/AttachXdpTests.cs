using Ebpf.Links;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

[Collection(KernelCollection.Name)]
public sealed class AttachXdpTests
{
    private const string Source = "attach_net.bpf.c";

    [Theory]
    [InlineData(XdpAttachMode.Native, " xdp qdisc")]
    [InlineData(XdpAttachMode.Generic, " xdpgeneric qdisc")]
    public void Xdp_on_a_veth_in_a_namespace_runs_on_received_frames_and_detaches_on_dispose(XdpAttachMode mode, string ipShows)
    {
        Kernel.RequireRoot();
        using var stats = BpfStats.Enable();
        using var hosts = new TwoHosts();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<XdpProgram>("attach_xdp_pass");
        var link = hosts.B.Enter(() => prog.AttachXdp(hosts.IfB, mode));
        try
        {
            Assert.True(link.IsKernelLink);
            Assert.Contains(mode.ToString().ToLowerInvariant(), link.Description);
            var shown = hosts.ShowB();
            Assert.Contains(ipShows, shown);
            Assert.Contains($"id {prog.Id}", shown);

            Assert.Equal(3, hosts.ExchangeFromA(3));
            Assert.True(prog.RunStatistics.RunCount >= 3, $"XDP ran {prog.RunStatistics.RunCount} times for 3 connection attempts");
        }
        finally
        {
            link.Dispose();
        }
        Assert.DoesNotContain("xdp", hosts.ShowB());
        Assert.False(Bpftool.LinkExists(link.Id));
    }

    [Fact]
    public void Default_mode_reports_the_mode_the_kernel_chose()
    {
        Kernel.RequireRoot();
        using var hosts = new TwoHosts();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<XdpProgram>("attach_xdp_pass");
        using var link = hosts.B.Enter(() => prog.AttachXdp(hosts.IfB));
        Assert.Contains("native", link.Description); // veth has native XDP
    }

    [Fact]
    public void A_second_program_on_the_interface_is_refused_with_a_description_unless_replace_is_set()
    {
        Kernel.RequireRoot();
        using var hosts = new TwoHosts();
        using var firstObject = TestObjects.Load(Source);
        var first = firstObject.GetProgram<XdpProgram>("attach_xdp_pass");
        using var secondObject = TestObjects.Load(Source);
        var second = secondObject.GetProgram<XdpProgram>("attach_xdp_pass2");
        using var firstLink = hosts.B.Enter(() => first.AttachXdp(hosts.IfB, XdpAttachMode.Native));

        var e = Assert.Throws<BpfAttachException>(() => hosts.B.Enter(() => second.AttachXdp(hosts.IfB, XdpAttachMode.Native)));
        Assert.Contains($"already has XDP program {first.Id} in native mode, held by bpf_link {firstLink.Id}", e.Message);
        Assert.Contains("replace: true", e.Message);

        using var secondLink = hosts.B.Enter(() => second.AttachXdp(hosts.IfB, XdpAttachMode.Native, replace: true));
        Assert.Contains($"id {second.Id}", hosts.ShowB());
        Assert.Equal(3, hosts.ExchangeFromA(3));
        firstLink.Dispose(); // already cut from the interface; closing it must not disturb the new one
        Assert.Contains($"id {second.Id}", hosts.ShowB());
    }

    [Fact]
    public void A_program_attached_through_netlink_is_described_and_replaced()
    {
        Kernel.RequireRoot();
        using var hosts = new TwoHosts();
        using var foreignObject = TestObjects.Load(Source);
        var foreign = foreignObject.GetProgram<XdpProgram>("attach_xdp_pass");
        using var oursObject = TestObjects.Load(Source);
        var ours = oursObject.GetProgram<XdpProgram>("attach_xdp_pass2");
        // bpftool attaches through netlink (no bpf_link), as `ip link set xdp` does.
        hosts.B.Check("bpftool", "net", "attach", "xdpgeneric", "id", foreign.Id.ToString(), "dev", hosts.IfB);

        var e = Assert.Throws<BpfAttachException>(() => hosts.B.Enter(() => ours.AttachXdp(hosts.IfB, XdpAttachMode.Generic)));
        Assert.Contains($"program {foreign.Id} in generic mode, attached through netlink", e.Message);

        using var link = hosts.B.Enter(() => ours.AttachXdp(hosts.IfB, XdpAttachMode.Generic, replace: true));
        var shown = hosts.ShowB();
        Assert.Contains($"id {ours.Id}", shown);
        Assert.DoesNotContain($"id {foreign.Id}", shown);
    }

    [Fact]
    public void Offload_is_reported_as_unsupported_on_a_device_without_it()
    {
        Kernel.RequireRoot();
        using var hosts = new TwoHosts();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<XdpProgram>("attach_xdp_pass");
        var e = Assert.Throws<BpfAttachException>(() => hosts.B.Enter(() => prog.AttachXdp(hosts.IfB, XdpAttachMode.Offload)));
        Assert.Contains("does not offer offload", e.Message);
        Assert.DoesNotContain("xdp", hosts.ShowB());
    }

    [Fact]
    public void Native_xdp_on_a_veth_with_a_jumbo_mtu_is_explained()
    {
        Kernel.RequireRoot();
        using var hosts = new TwoHosts();
        // veth checks the peer's MTU against what one page can hold (programs without frags support).
        hosts.A.Check("ip", "link", "set", "dev", hosts.Veth.NameA, "mtu", "9000");
        hosts.B.Check("ip", "link", "set", "dev", hosts.IfB, "mtu", "9000");
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<XdpProgram>("attach_xdp_pass");
        var e = Assert.Throws<BpfAttachException>(() => hosts.B.Enter(() => prog.AttachXdp(hosts.IfB, XdpAttachMode.Native)));
        Assert.Contains("MTU", e.Message);
        Assert.Contains("XdpAttachMode.Generic", e.Message);
        using var generic = hosts.B.Enter(() => prog.AttachXdp(hosts.IfB, XdpAttachMode.Generic));
        Assert.Contains("generic", generic.Description);
    }

    [Fact]
    public void An_unknown_interface_gives_a_clear_error()
    {
        Kernel.RequireRoot();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<XdpProgram>("attach_xdp_pass");
        var e = Assert.Throws<BpfAttachException>(() => prog.AttachXdp("nosuchif0"));
        Assert.Contains("no interface named 'nosuchif0'", e.Message);
    }
}
