using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Ebpf.Examples.MeshAccel.Mesh;

namespace Ebpf.Examples.MeshAccel.Agent;

/// <summary>
/// This node's pods from the Kubernetes API with the KubernetesClient package: list the pods whose spec.nodeName is this
/// node, then watch from the list's resourceVersion; a watch that ends is resumed from the last version seen, and a
/// 410 Gone (the version is too old) starts over with a new list. Every change yields the whole current set.
/// </summary>
internal sealed class KubernetesPodSource(IKubernetes client, string node, Action<string> log) : IPodSource
{
    public string Description => $"the Kubernetes API, pods of node {node}";

    /// <summary>The client from --kubeconfig, else in-cluster (a DaemonSet's service account), else ~/.kube/config.</summary>
    public static IPodSource Create(string? node, string? kubeconfig, Action<string> log)
    {
        node ??= Environment.GetEnvironmentVariable("NODE_NAME") ?? Environment.MachineName;
        Linux.NetnsFinder.CheckAccess(); // the API gives pods' addresses only: their namespaces are found by address
        KubernetesClientConfiguration config;
        try
        {
            config = kubeconfig is not null ? KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig)
                : KubernetesClientConfiguration.IsInCluster() ? KubernetesClientConfiguration.InClusterConfig()
                : KubernetesClientConfiguration.BuildDefaultConfig();
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or IOException)
        {
            throw new ToolException($"no Kubernetes API to watch: {e.Message} (in a pod, mount a service account; elsewhere give --kubeconfig PATH)");
        }
        return new KubernetesPodSource(new Kubernetes(config), node, log);
    }

    public async IAsyncEnumerable<IReadOnlyList<PodSpec>> Watch([EnumeratorCancellation] CancellationToken stop)
    {
        var pods = new Dictionary<string, PodSpec>();
        var selector = $"spec.nodeName={node}";
        string? version = null;
        var changes = Channel.CreateUnbounded<IReadOnlyList<PodSpec>>();
        while (!stop.IsCancellationRequested)
        {
            if (version is null)
            {
                // (Re)list: the whole set, replacing whatever was known.
                V1PodList list;
                try
                {
                    list = await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: selector, cancellationToken: stop);
                }
                catch (OperationCanceledException) { yield break; }
                catch (Exception e) when (e is HttpOperationException or HttpRequestException)
                {
                    log($"listing pods failed: {e.Message}; retrying in 2 s");
                    try { await Task.Delay(2000, stop); } catch (OperationCanceledException) { yield break; }
                    continue;
                }
                pods.Clear();
                foreach (var pod in list.Items)
                    Upsert(pods, pod);
                version = list.Metadata?.ResourceVersion;
                log($"listed {pods.Count} pod(s) of node {node} at resourceVersion {version}" + (list.Items.Count > pods.Count ? $" ({list.Items.Count - pods.Count} left out)" : ""));
                yield return pods.Values.ToArray();
            }

            var gone = false;
            var events = Channel.CreateUnbounded<(WatchEventType, V1Pod)>();
            var watch = Task.Run(async () =>
            {
                try
                {
                    await foreach (var (type, pod) in client.CoreV1.WatchListPodForAllNamespacesAsync(
                                       allowWatchBookmarks: true, fieldSelector: selector, resourceVersion: version,
                                       onError: e => gone |= e is KubernetesException { Status.Code: 410 }, cancellationToken: stop))
                        await events.Writer.WriteAsync((type, pod), stop);
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Gone)
                {
                    gone = true;
                }
                catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
                {
                    log($"watching pods failed: {e.Message}; resuming");
                    try { await Task.Delay(1000, stop); } catch (OperationCanceledException) { }
                }
                catch (OperationCanceledException)
                {
                }
                finally
                {
                    events.Writer.TryComplete();
                }
            }, stop);
            await foreach (var (type, pod) in ReadAll(events.Reader, stop))
            {
                version = pod.Metadata?.ResourceVersion ?? version;
                if (type == WatchEventType.Bookmark)
                    continue;
                var changed = type == WatchEventType.Deleted ? pods.Remove(Key(pod)) : Upsert(pods, pod);
                if (changed)
                    yield return pods.Values.ToArray();
            }
            await watch;
            if (gone)
            {
                log($"resourceVersion {version} is gone (410): listing again");
                version = null;
            }
        }
    }

    private static async IAsyncEnumerable<T> ReadAll<T>(ChannelReader<T> reader, [EnumeratorCancellation] CancellationToken stop)
    {
        while (true)
        {
            try
            {
                if (!await reader.WaitToReadAsync(stop))
                    yield break;
            }
            catch (OperationCanceledException) { yield break; }
            while (reader.TryRead(out var item))
                yield return item;
        }
    }

    private static string Key(V1Pod pod) => $"{pod.Metadata?.NamespaceProperty ?? "default"}/{pod.Metadata?.Name}";

    /// <summary>Adds, replaces or (when it no longer qualifies) removes a pod; true when the set changed.</summary>
    private bool Upsert(Dictionary<string, PodSpec> pods, V1Pod pod)
    {
        var spec = KubernetesPods.From(pod, node, out var leftOut);
        if (spec is null)
        {
            if (leftOut is not null && !leftOut.StartsWith("on node", StringComparison.Ordinal))
                log($"pod {Key(pod)} left out: {leftOut}");
            return pods.Remove(Key(pod));
        }
        if (pods.TryGetValue(spec.Name, out var old) && Same(old, spec))
            return false;
        pods[spec.Name] = spec;
        return true;
    }

    private static bool Same(PodSpec a, PodSpec b) =>
        a.Sidecar == b.Sidecar && a.Ips.SequenceEqual(b.Ips) && a.Annotations.Count == b.Annotations.Count
        && a.Annotations.All(kv => b.Annotations.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
