using Ebpf.Links;
using Ebpf.Object;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// AttachedPrograms (BPF_PROG_QUERY) on cgroups and veths the tests create: what is attached, what a child cgroup
/// inherits, more programs than the first query has room for, tcx per direction, and the errors for a directory that
/// is not a cgroup, a hook that is not a cgroup's and an interface that does not exist.
/// </summary>
[Collection(KernelCollection.Name)]
public sealed class AttachQueryTests
{
    private static BpfObject LoadSockOps() => TestObjects.Load("attach_net.bpf.c");

    private static SockOpsProgram SockOps(BpfObject obj) => obj.GetProgram<SockOpsProgram>("attach_sockops");

    [Fact]
    public void A_cgroup_lists_what_is_attached_and_a_child_inherits_it_only_effectively()
    {
        Kernel.RequireRoot();
        using var cgroup = new TempCgroup("query");
        var child = Directory.CreateDirectory(Path.Combine(cgroup.Path, "child")).FullName;
        Assert.Empty(AttachedPrograms.OnCgroup(cgroup.Path, CgroupHook.SockOps));

        using var obj = LoadSockOps();
        var prog = SockOps(obj);
        using (prog.AttachCgroup(cgroup.Path))
        {
            var attached = Assert.Single(AttachedPrograms.OnCgroup(cgroup.Path, CgroupHook.SockOps));
            Assert.Equal(new AttachedProgram(prog.Id, "attach_sockops", ProgramType.SockOps), attached);
            Assert.Empty(AttachedPrograms.OnCgroup(cgroup.Path, CgroupHook.InetIngress));
            Assert.Empty(AttachedPrograms.OnCgroup(child, CgroupHook.SockOps));
            Assert.Equal(prog.Id, Assert.Single(AttachedPrograms.OnCgroup(child, CgroupHook.SockOps, effective: true)).Id);
        }
        Assert.Empty(AttachedPrograms.OnCgroup(cgroup.Path, CgroupHook.SockOps));
    }

    [Fact]
    public void More_programs_than_the_first_query_has_room_for_are_all_listed_in_attach_order()
    {
        Kernel.RequireRoot();
        using var cgroup = new TempCgroup("query");
        var objects = Enumerable.Range(0, 20).Select(_ => LoadSockOps()).ToList();
        var programs = objects.Select(SockOps).ToList();
        try
        {
            foreach (var p in programs)
                p.AttachCgroup(cgroup.Path);
            var listed = AttachedPrograms.OnCgroup(cgroup.Path, CgroupHook.SockOps);
            Assert.Equal(programs.Select(p => p.Id), listed.Select(p => p.Id));
        }
        finally
        {
            foreach (var o in objects)
                o.Dispose();
        }
    }

    [Fact]
    public void An_interface_lists_its_tcx_programs_per_direction_in_attach_order()
    {
        Kernel.RequireRoot();
        using var hosts = new TwoHosts();
        using var firstObject = TestObjects.Load("attach_net.bpf.c");
        var first = firstObject.GetProgram<TcProgram>("attach_tc_pass");
        using var secondObject = TestObjects.Load("attach_net.bpf.c");
        var second = secondObject.GetProgram<TcProgram>("attach_tc_pass");
        hosts.B.Enter(() =>
        {
            Assert.Empty(AttachedPrograms.OnInterface(hosts.IfB, TcDirection.Ingress));
            using var a = first.AttachTcx(hosts.IfB, TcDirection.Ingress);
            using var b = second.AttachTcx(hosts.IfB, TcDirection.Ingress);
            var listed = AttachedPrograms.OnInterface(hosts.IfB, TcDirection.Ingress);
            Assert.Equal(new[] { first.Id, second.Id }, listed.Select(p => p.Id));
            Assert.All(listed, p => Assert.Equal(("attach_tc_pass", ProgramType.SchedCls), (p.Name, p.Type)));
            Assert.Empty(AttachedPrograms.OnInterface(hosts.IfB, TcDirection.Egress));
            var e = Assert.Throws<BpfAttachException>(() => AttachedPrograms.OnInterface("nosuchif0", TcDirection.Ingress));
            Assert.Contains("no interface named 'nosuchif0'", e.Message);
        });
    }

    [Fact]
    public void A_value_that_is_not_a_cgroup_hook_is_refused_before_asking_the_kernel()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => AttachedPrograms.OnCgroup("/nonexistent", (CgroupHook)AttachType.Xdp));
        Assert.Contains("37 is not a cgroup hook", e.Message);
    }

    [Fact]
    public void Cgroup_hooks_are_the_kernels_cgroup_attach_types()
    {
        var cgroupTypes = Enum.GetValues<AttachType>().Where(t => t.ToString().StartsWith("Cgroup", StringComparison.Ordinal)).ToList();
        Assert.Equal(cgroupTypes.Count, Enum.GetValues<CgroupHook>().Length);
        foreach (var type in cgroupTypes)
            Assert.Equal((uint)type, (uint)Enum.Parse<CgroupHook>(type.ToString()["Cgroup".Length..]));
    }

    [Fact]
    public void A_directory_that_is_not_a_cgroup_is_named_in_the_error()
    {
        Kernel.RequireRoot();
        var dir = Directory.CreateTempSubdirectory("ebpf-not-a-cgroup-");
        try
        {
            var e = Assert.Throws<BpfAttachException>(() => AttachedPrograms.OnCgroup(dir.FullName, CgroupHook.SockOps));
            Assert.Contains("is not a cgroup v2 directory", e.Message);
        }
        finally
        {
            dir.Delete();
        }
    }
}
