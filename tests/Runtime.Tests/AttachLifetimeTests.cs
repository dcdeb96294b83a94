using System.Runtime.CompilerServices;
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
        var prog = TestProgramLoader.Load<SockOpsProgram>("attach_net.bpf.c", "attach_sockops");
        var link = prog.AttachCgroup(cgroupPath);
        Assert.True(Bpftool.LinkExists(link.Id));
        return link.Id; // neither the program nor the link is disposed
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
        using var prog = TestProgramLoader.Load<SockOpsProgram>("attach_net.bpf.c", "attach_sockops");
        var link = prog.AttachCgroup(cgroup.Path);
        Assert.Single(prog.Links);
        link.Dispose();
        link.Dispose();
        Assert.Empty(prog.Links);
        Assert.False(link.IsAttached);
    }
}
