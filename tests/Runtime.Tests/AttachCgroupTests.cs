using Ebpf.Links;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

[Collection(KernelCollection.Name)]
public sealed class AttachCgroupTests
{
    private const string Source = "attach_net.bpf.c";

    [Fact]
    public void SockOps_runs_for_a_connect_in_the_cgroup_and_stops_after_dispose()
    {
        Kernel.RequireRoot();
        using var stats = BpfStats.Enable();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<SockOpsProgram>("attach_sockops");
        using var cgroup = new TempCgroup();
        var link = prog.AttachCgroup(cgroup.Path);
        Assert.True(link.IsKernelLink);
        Assert.True(Bpftool.LinkExists(link.Id));
        Assert.Contains("attach_sockops", Bpftool.CgroupShow(cgroup.Path));

        CgroupConnect.FromCgroup(cgroup);
        var afterConnect = prog.RunStatistics.RunCount;
        Assert.True(afterConnect > 0, "the sockops program did not run for a connect in its cgroup");

        link.Dispose();
        Assert.False(Bpftool.LinkExists(link.Id));
        Assert.DoesNotContain("attach_sockops", Bpftool.CgroupShow(cgroup.Path));
        CgroupConnect.FromCgroup(cgroup);
        Assert.Equal(afterConnect, prog.RunStatistics.RunCount);
    }

    [Fact]
    public void Connect4_runs_once_per_connect_in_the_cgroup()
    {
        Kernel.RequireRoot();
        using var stats = BpfStats.Enable();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<CgroupSockAddrProgram>("attach_connect4");
        using var cgroup = new TempCgroup();
        using var link = prog.AttachCgroup(cgroup.Path);
        CgroupConnect.FromCgroup(cgroup, times: 3);
        Assert.Equal(3UL, prog.RunStatistics.RunCount);
    }

    /// <summary>Each cgroup hook runs for the matching action of a process in the cgroup (and only there).</summary>
    [Theory]
    [InlineData("attach_skb_egress", "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b'x', ('127.0.0.1', 9))")]
    [InlineData("attach_sock_create", "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)")]
    [InlineData("attach_getsockopt", "import socket; socket.socket().getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)")]
    [InlineData("attach_setsockopt", "import socket; socket.socket().setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)")]
    public void Cgroup_hook_runs_for_an_action_in_the_cgroup(string program, string python)
    {
        Kernel.RequireRoot();
        using var stats = BpfStats.Enable();
        using var obj = TestObjects.Load(Source);
        var loaded = obj.GetProgram<BpfProgram>(program);
        using var cgroup = new TempCgroup();
        using var link = loaded switch
        {
            CgroupSkbProgram p => p.AttachCgroup(cgroup.Path),
            CgroupSockProgram p => p.AttachCgroup(cgroup.Path),
            CgroupSockoptProgram p => p.AttachCgroup(cgroup.Path),
            _ => throw new InvalidOperationException($"{program} loaded as {loaded.GetType().Name}"),
        };
        Assert.Contains(program[..Math.Min(15, program.Length)], Bpftool.CgroupShow(cgroup.Path)); // kernel names hold 15 characters
        HostCommand.Check("python3", "-c", python); // outside the cgroup: must not count
        Assert.Equal(0UL, loaded.RunStatistics.RunCount);
        cgroup.Run("python3", "-c", python).EnsureSuccess();
        Assert.True(loaded.RunStatistics.RunCount >= 1, $"{program} did not run for an action in its cgroup");
    }

    [Fact]
    public void A_relative_cgroup_path_is_taken_under_the_cgroup2_mount()
    {
        Kernel.RequireRoot();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<SockOpsProgram>("attach_sockops");
        using var cgroup = new TempCgroup();
        using var link = prog.AttachCgroup(Path.GetFileName(cgroup.Path));
        Assert.Contains(cgroup.Path, link.Description);
        Assert.Contains("attach_sockops", Bpftool.CgroupShow(cgroup.Path));
    }

    [Fact]
    public void A_missing_cgroup_gives_a_clear_error()
    {
        Kernel.RequireRoot();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<SockOpsProgram>("attach_sockops");
        var e = Assert.Throws<DirectoryNotFoundException>(() => prog.AttachCgroup("/sys/fs/nonexistent-cgroup-" + RunPrefix.Value));
        Assert.Contains("cgroup v2", e.Message);
    }

    [Fact]
    public void A_directory_that_is_not_a_cgroup_gives_a_clear_error()
    {
        Kernel.RequireRoot();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<SockOpsProgram>("attach_sockops");
        var dir = Directory.CreateTempSubdirectory(RunPrefix.Value);
        try
        {
            var e = Assert.Throws<BpfAttachException>(() => prog.AttachCgroup(dir.FullName));
            Assert.Contains("is not a cgroup v2 directory", e.Message);
        }
        finally
        {
            dir.Delete();
        }
    }

    [Fact]
    public void Disposing_the_program_detaches_its_links()
    {
        Kernel.RequireRoot();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<SockOpsProgram>("attach_sockops");
        using var cgroup = new TempCgroup();
        var link = prog.AttachCgroup(cgroup.Path);
        prog.Dispose(); // the program alone, before its object
        Assert.False(link.IsAttached);
        Assert.False(Bpftool.LinkExists(link.Id));
    }
}
