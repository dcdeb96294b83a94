using k8s.Models;

namespace Ebpf.Examples.Tests.Images;

/// <summary>
/// The podman flags for a pod spec's privileges, so a container run by a test has exactly what the manifest grants:
/// --cap-drop all and --cap-add for each added capability (never --privileged), --read-only, --user,
/// no-new-privileges, the seccomp profile, and the host's PID namespace when the pod asks for it. Shared by the
/// Deploy tests' PodmanContainer and the image tests here (compiled into both).
/// </summary>
internal static class PodmanPrivileges
{
    public static IEnumerable<string> Flags(V1PodSpec pod)
    {
        var sc = pod.Containers.Single().SecurityContext;
        if (sc.Privileged == true)
            throw new InvalidOperationException("the manifest asks for a privileged container");
        yield return "--cap-drop";
        yield return "all";
        foreach (var cap in sc.Capabilities.Add)
        {
            yield return "--cap-add";
            yield return cap;
        }
        if (sc.ReadOnlyRootFilesystem == true)
            yield return "--read-only";
        if (sc.RunAsUser is { } uid)
        {
            yield return "--user";
            yield return uid.ToString();
        }
        if (sc.AllowPrivilegeEscalation == false)
        {
            yield return "--security-opt";
            yield return "no-new-privileges";
        }
        if (sc.SeccompProfile?.Type == "Unconfined")
        {
            yield return "--security-opt";
            yield return "seccomp=unconfined";
        }
        else if (sc.SeccompProfile is not null)
            throw new InvalidOperationException($"no podman equivalent written for seccompProfile {sc.SeccompProfile.Type}");
        if (pod.HostPID == true)
        {
            yield return "--pid";
            yield return "host";
        }
    }
}
