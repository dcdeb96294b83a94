using Ebpf.Examples.MeshAccel.Lab;

namespace Ebpf.Examples.MeshAccel.Agent;

/// <summary>`--pods-from lab | kubernetes | file:PATH` to a pod source, checked before anything is attached.</summary>
internal static class PodSources
{
    public static IPodSource Create(string podsFrom, string lab, string? node, string? kubeconfig, Action<string> log)
    {
        if (podsFrom == "lab")
        {
            var file = LabLayout.PodsFile(lab);
            if (!File.Exists(file))
                throw new ToolException($"no lab '{lab}' is up (no {file}); start one with `mesh-accel lab up --prefix {lab}`, or give --lab PREFIX");
            FilePodSource.Read(file);
            return new FilePodSource(file, log);
        }
        if (podsFrom.StartsWith("file:", StringComparison.Ordinal))
        {
            var path = podsFrom["file:".Length..];
            if (path.Length == 0)
                throw new ToolException("--pods-from file:PATH needs a path");
            FilePodSource.Read(path);
            return new FilePodSource(path, log);
        }
        if (podsFrom == "kubernetes")
            return KubernetesPodSource.Create(node, kubeconfig, log);
        throw new ToolException($"--pods-from '{podsFrom}': want lab, kubernetes or file:PATH");
    }
}
