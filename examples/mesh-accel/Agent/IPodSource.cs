using System.Runtime.CompilerServices;
using System.Text.Json;
using Ebpf.Examples.MeshAccel.Mesh;

namespace Ebpf.Examples.MeshAccel.Agent;

/// <summary>Where the agent learns the node's pods: each item is the whole current set, sent when it changed.</summary>
internal interface IPodSource
{
    string Description { get; }
    IAsyncEnumerable<IReadOnlyList<PodSpec>> Watch(CancellationToken stop);
}

/// <summary>
/// A pods file (JSON, <see cref="PodList"/>), read again whenever its content changes (polled twice a second; writers
/// should write aside and rename). The lab writes one of these. A file that cannot be read or parsed is an error at
/// start; later, the error is reported and the last good set stays.
/// </summary>
internal sealed class FilePodSource(string path, Action<string> log) : IPodSource
{
    public string Description => $"file {path}";

    public static IReadOnlyList<PodSpec> Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ToolException($"cannot read pods file {path}: {e.Message}");
        }
        try
        {
            var list = JsonSerializer.Deserialize(text, MeshJson.Default.PodList)
                ?? throw new ToolException($"pods file {path} is empty (want {{\"pods\": [...]}})");
            foreach (var pod in list.Pods)
            {
                if (string.IsNullOrWhiteSpace(pod.Name))
                    throw new ToolException($"pods file {path}: a pod has no name");
                try
                {
                    PodPolicy.From(pod);
                }
                catch (PodSpecException e)
                {
                    throw new ToolException($"pods file {path}: {e.Message}");
                }
            }
            return list.Pods;
        }
        catch (JsonException e)
        {
            throw new ToolException($"pods file {path} is not valid: {e.Message} (want {{\"pods\": [{{\"name\": \"web\", \"netns\": \"web-ns\", \"ips\": [\"10.0.0.5\"], \"sidecar\": true, \"annotations\": {{}}}}]}})");
        }
    }

    public async IAsyncEnumerable<IReadOnlyList<PodSpec>> Watch([EnumeratorCancellation] CancellationToken stop)
    {
        var last = File.Exists(path) ? File.ReadAllText(path) : null;
        yield return Read(path); // errors here end `run` with the message
        while (!stop.IsCancellationRequested)
        {
            try { await Task.Delay(500, stop); }
            catch (OperationCanceledException) { yield break; }
            string? text;
            try { text = File.ReadAllText(path); }
            catch (IOException e) { log($"pods file: {e.Message}; keeping the last pods"); continue; }
            if (text == last)
                continue;
            last = text;
            IReadOnlyList<PodSpec>? pods = null;
            try { pods = Read(path); }
            catch (ToolException e) { log($"{e.Message}; keeping the last pods"); }
            if (pods is not null)
                yield return pods;
        }
    }
}
