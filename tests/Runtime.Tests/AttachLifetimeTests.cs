using System.Runtime.CompilerServices;
using Ebpf.Links;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>Links end with their owner: Dispose detaches, and a forgotten link is detached by its finalizer.</summary>
[Collection(KernelCollection.Name)]
public sealed class AttachLifetimeTests
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static uint AttachAndForget(string cgroupPath)
    {
        var obj = TestObjects.Load("attach_net.bpf.c");
        var link = obj.GetProgram<SockOpsProgram>("attach_sockops").AttachCgroup(cgroupPath);
        Assert.True(Bpftool.LinkExists(link.Id));
        return link.Id; // neither the object, its program nor the link is disposed
    }

    [Fact]
    public void A_link_nobody_disposed_is_detached_by_the_finalizer()
    {
        Kernel.RequireRoot();
        using var cgroup = new TempCgroup();
        var id = AttachAndForget(cgroup.Path);
        for (var i = 0; i < 3 && Bpftool.LinkExists(id); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.False(Bpftool.LinkExists(id), $"link {id} outlived every reference to it");
        Assert.DoesNotContain("attach_sockops", Bpftool.CgroupShow(cgroup.Path));
    }

    [Fact]
    public void Disposing_a_link_twice_is_harmless_and_the_program_forgets_it()
    {
        Kernel.RequireRoot();
        using var cgroup = new TempCgroup();
        using var obj = TestObjects.Load("attach_net.bpf.c");
        var prog = obj.GetProgram<SockOpsProgram>("attach_sockops");
        var link = prog.AttachCgroup(cgroup.Path);
        Assert.Single(prog.Links);
        link.Dispose();
        link.Dispose();
        Assert.Empty(prog.Links);
        Assert.False(link.IsAttached);
    }

    [Fact]
    public void A_pinned_link_stays_attached_after_dispose_until_the_pin_is_deleted()
    {
        Kernel.RequireRoot();
        using var bpffs = new BpfFs();
        using var cgroup = new TempCgroup();
        using var obj = TestObjects.Load("attach_net.bpf.c");
        var prog = obj.GetProgram<SockOpsProgram>("attach_sockops");
        var link = prog.AttachCgroup(cgroup.Path);
        var pin = Path.Combine(bpffs.Path, "sockops_link");
        link.Pin(pin);
        Assert.True(File.Exists(pin));
        var e = Assert.Throws<BpfAttachException>(() => link.Pin(pin));
        Assert.Contains("exists already", e.Message);

        link.Dispose();
        Assert.True(Bpftool.LinkExists(link.Id), "the pin should keep the link");
        Assert.Contains("attach_sockops", Bpftool.CgroupShow(cgroup.Path));

        File.Delete(pin);
        for (var i = 0; i < 100 && Bpftool.LinkExists(link.Id); i++)
            Thread.Sleep(20); // the kernel frees the link after the unlink, asynchronously
        Assert.False(Bpftool.LinkExists(link.Id));
        Assert.DoesNotContain("attach_sockops", Bpftool.CgroupShow(cgroup.Path));
    }
}
