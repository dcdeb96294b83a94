using System.Text.RegularExpressions;

namespace Ebpf.Examples.Tcptop.Cgroups;

/// <summary>What a cgroup path says about Kubernetes: the pod's UID and the container's id, when it is a kubelet path.</summary>
internal readonly record struct KubernetesIds(string PodUid, string ContainerId)
{
    public static readonly KubernetesIds None = new("", "");
}

/// <summary>
/// Reads kubelet cgroup paths of both cgroup drivers:
/// systemd: kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod&lt;uid with _&gt;.slice/cri-containerd-&lt;id&gt;.scope
/// (also docker- and crio- scopes; the pod UID's '_' go back to '-');
/// cgroupfs: kubepods/burstable/pod&lt;uid&gt;/&lt;id&gt; (the container leaf is the bare id).
/// A pod-level path (no container below it) gives the pod UID alone.
/// </summary>
internal static partial class KubernetesCgroup
{
    [GeneratedRegex(@"(?:^|/)kubepods[^/]*\.slice/(?:.*/)?kubepods(?:-[a-z]+)?-pod([0-9a-fA-F_]+)\.slice(?:/(?:cri-containerd|docker|crio)-([0-9a-fA-F]+)\.scope)?(?:/|$)")]
    private static partial Regex SystemdPath();

    [GeneratedRegex(@"(?:^|/)kubepods/(?:(?:burstable|besteffort)/)?pod([0-9a-fA-F-]+)(?:/([0-9a-fA-F]{12,}))?(?:/|$)")]
    private static partial Regex CgroupfsPath();

    public static KubernetesIds Parse(string path)
    {
        var m = SystemdPath().Match(path);
        if (m.Success)
            return new KubernetesIds(m.Groups[1].Value.Replace('_', '-'), m.Groups[2].Value);
        m = CgroupfsPath().Match(path);
        if (m.Success)
            return new KubernetesIds(m.Groups[1].Value, m.Groups[2].Value);
        return KubernetesIds.None;
    }
}
