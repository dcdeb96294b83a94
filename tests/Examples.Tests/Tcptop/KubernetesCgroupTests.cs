using Ebpf.Examples.Tcptop.Cgroups;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>kubelet cgroup paths of both drivers to pod UID and container id.</summary>
public sealed class KubernetesCgroupTests
{
    private const string Uid = "0f6e4d2a-9b1c-4e8f-a2d3-5c6b7a8f9e01";
    private const string Id = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa99887766554433221100";

    [Theory]
    [InlineData($"kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f6e4d2a_9b1c_4e8f_a2d3_5c6b7a8f9e01.slice/cri-containerd-{Id}.scope", Uid, Id)]
    [InlineData($"kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0f6e4d2a_9b1c_4e8f_a2d3_5c6b7a8f9e01.slice/docker-{Id}.scope", Uid, Id)]
    [InlineData($"kubepods.slice/kubepods-pod0f6e4d2a_9b1c_4e8f_a2d3_5c6b7a8f9e01.slice/crio-{Id}.scope", Uid, Id)]
    [InlineData("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f6e4d2a_9b1c_4e8f_a2d3_5c6b7a8f9e01.slice", Uid, "")]
    [InlineData($"kubepods/burstable/pod{Uid}/{Id}", Uid, Id)]
    [InlineData($"kubepods/besteffort/pod{Uid}/{Id}", Uid, Id)]
    [InlineData($"kubepods/pod{Uid}/{Id}", Uid, Id)]
    [InlineData($"kubepods/burstable/pod{Uid}", Uid, "")]
    [InlineData($"ebt1a2b/kubepods/burstable/pod{Uid}/{Id}", Uid, Id)]
    [InlineData("/", "", "")]
    [InlineData("system.slice/nginx.service", "", "")]
    [InlineData("user.slice/user-0.slice/session-4.scope", "", "")]
    public void PathsGiveTheirPodAndContainer(string path, string pod, string container)
    {
        var ids = KubernetesCgroup.Parse(path);
        Assert.Equal(pod, ids.PodUid);
        Assert.Equal(container, ids.ContainerId);
    }
}
