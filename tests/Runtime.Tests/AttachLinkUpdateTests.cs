using Ebpf.Links;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// BpfLink.Update and UpdatePinned (BPF_LINK_UPDATE): the same link, with its id, its pin and its place on the cgroup,
/// runs the new program and no longer the old one; refusals are explained.
/// </summary>
[Collection(KernelCollection.Name)]
public sealed class AttachLinkUpdateTests
{
    private const string Source = "attach_net.bpf.c";

    [Fact]
    public void An_updated_cgroup_link_keeps_its_id_and_runs_only_the_new_program()
    {
        Kernel.RequireRoot();
        using var stats = BpfStats.Enable();
        // Two loads of one object: two programs of the same type and attach type.
        using var first = TestObjects.Load(Source);
        using var second = TestObjects.Load(Source);
        var old = first.GetProgram<CgroupSockAddrProgram>("attach_connect4");
        var replacement = second.GetProgram<CgroupSockAddrProgram>("attach_connect4");
        Assert.NotEqual(old.Id, replacement.Id);
        using var cgroup = new TempCgroup();
        using var link = old.AttachCgroup(cgroup.Path);
        var linkId = link.Id;

        link.Update(replacement);

        Assert.Equal(linkId, link.Id);
        Assert.Same(replacement, link.Program);
        var attached = Assert.Single(AttachedPrograms.OnCgroup(cgroup.Path, CgroupHook.Inet4Connect));
        Assert.Equal(replacement.Id, attached.Id);
        var oldRuns = old.RunStatistics.RunCount;
        CgroupConnect.FromCgroup(cgroup);
        Assert.True(replacement.RunStatistics.RunCount > 0, "the new program did not run for a connect in the cgroup");
        Assert.Equal(oldRuns, old.RunStatistics.RunCount);
    }

    [Fact]
    public void A_pinned_link_left_by_another_process_is_updated_by_its_path()
    {
        Kernel.RequireRoot();
        using var bpffs = new BpfFs();
        using var first = TestObjects.Load(Source);
        using var second = TestObjects.Load(Source);
        var old = first.GetProgram<CgroupSockAddrProgram>("attach_connect4");
        var replacement = second.GetProgram<CgroupSockAddrProgram>("attach_connect4");
        using var cgroup = new TempCgroup();
        var pin = Path.Combine(bpffs.Path, "connect4_link");
        uint linkId;
        using (var link = old.AttachCgroup(cgroup.Path))
        {
            link.Pin(pin);
            linkId = link.Id;
        }
        try
        {
            // Only the pin holds the attachment now, as after an agent's restart.
            BpfLink.UpdatePinned(pin, replacement);

            using var reopened = BpfLink.OpenPinned(pin);
            Assert.Equal(linkId, reopened.Id);
            Assert.Equal(replacement.Id, reopened.Program.Id);
            Assert.Equal(replacement.Id, Assert.Single(AttachedPrograms.OnCgroup(cgroup.Path, CgroupHook.Inet4Connect)).Id);
        }
        finally
        {
            BpfFileSystem.Unpin(pin);
        }
        Assert.Empty(AttachedPrograms.OnCgroup(cgroup.Path, CgroupHook.Inet4Connect));
    }

    [Fact]
    public void Updating_to_a_program_of_another_attach_type_or_a_pin_that_is_no_link_explains()
    {
        Kernel.RequireRoot();
        using var bpffs = new BpfFs();
        using var obj = TestObjects.Load(Source);
        var connect4 = obj.GetProgram<CgroupSockAddrProgram>("attach_connect4");
        var egress = obj.GetProgram<CgroupSkbProgram>("attach_skb_egress");
        using var cgroup = new TempCgroup();
        using var link = connect4.AttachCgroup(cgroup.Path);

        var wrongType = Assert.Throws<BpfAttachException>(() => link.Update(egress));
        Assert.Contains("BPF_LINK_UPDATE", wrongType.Message);
        Assert.Contains("EINVAL", wrongType.Message);
        Assert.Contains("must have the link's program type and attach type", wrongType.Message);
        Assert.Same(connect4, link.Program);
        Assert.Equal(connect4.Id, Assert.Single(AttachedPrograms.OnCgroup(cgroup.Path, CgroupHook.Inet4Connect)).Id);

        var pin = Path.Combine(bpffs.Path, "a_program");
        egress.Pin(pin);
        try
        {
            var notALink = Assert.Throws<BpfAttachException>(() => BpfLink.UpdatePinned(pin, connect4));
            Assert.Contains("it is a pinned program, not a bpf_link", notALink.Message);
        }
        finally
        {
            BpfFileSystem.Unpin(pin);
        }
        var missing = Assert.Throws<BpfAttachException>(() => BpfLink.UpdatePinned(Path.Combine(bpffs.Path, "nothing_here"), connect4));
        Assert.Contains("nothing is pinned there", missing.Message);
    }
}
