namespace Ebpf.Examples.Tcptop.Cgroups;

/// <summary>A cgroup's label values: its path below the cgroup2 root, and the pod and container it is, if any.</summary>
internal readonly record struct CgroupLabels(string Path, string PodUid, string ContainerId)
{
    public static CgroupLabels Of(string path)
    {
        var k8s = KubernetesCgroup.Parse(path);
        return new CgroupLabels(path, k8s.PodUid, k8s.ContainerId);
    }
}
