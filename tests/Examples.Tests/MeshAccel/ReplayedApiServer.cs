using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Ebpf.Examples.Tests.MeshAccel;

/// <summary>
/// A stand-in for the Kubernetes API server (a real one cannot run here): it answers the pod list and watch requests the
/// KubernetesClient package makes with prepared responses, in order, as recorded from an API server would be. Lists are
/// JSON PodLists; a watch is a chunked stream of one JSON event per line that ends after its events (or stays open, for
/// the last one). It listens on 127.0.0.1 only and records every request's path and query.
/// </summary>
internal sealed class ReplayedApiServer : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly ConcurrentQueue<JsonObject> lists;
    private readonly ConcurrentQueue<IReadOnlyList<JsonObject>> watches;
    private readonly CancellationTokenSource stop = new();
    private readonly Thread loop;

    public ReplayedApiServer(IEnumerable<JsonObject> lists, IEnumerable<IReadOnlyList<JsonObject>> watches)
    {
        this.lists = new(lists);
        this.watches = new(watches);
        Port = FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        loop = new Thread(Serve) { IsBackground = true };
        loop.Start();
    }

    public int Port { get; }
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>
    /// A kubeconfig that points at this server, or at <paramref name="server"/> (a TLS front of it) whose certificate
    /// authority is <paramref name="certificateAuthorityPem"/>.
    /// </summary>
    public string WriteKubeconfig(string path, string? server = null, string? certificateAuthorityPem = null)
    {
        var authority = certificateAuthorityPem is null ? ""
            : "\n    certificate-authority-data: " + Convert.ToBase64String(Encoding.ASCII.GetBytes(certificateAuthorityPem));
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: replay
              cluster:
                server: {server ?? $"http://127.0.0.1:{Port}"}{authority}
            users:
            - name: replay
              user:
                token: replay
            contexts:
            - name: replay
              context:
                cluster: replay
                user: replay
            current-context: replay
            """);
        return path;
    }

    private void Serve()
    {
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = listener.GetContext(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            var url = context.Request.Url!;
            Requests.Enqueue(url.PathAndQuery);
            var watch = context.Request.QueryString["watch"] == "true";
            if (watch)
                _ = Task.Run(() => Watch(context.Response));
            else
                _ = Task.Run(() => List(context.Response));
        }
    }

    private void List(HttpListenerResponse response)
    {
        using (response)
        {
            if (!lists.TryDequeue(out var list))
            {
                response.StatusCode = 500;
                return;
            }
            var body = Encoding.UTF8.GetBytes(list.ToJsonString());
            response.ContentType = "application/json";
            response.OutputStream.Write(body);
        }
    }

    private async Task Watch(HttpListenerResponse response)
    {
        using (response)
        {
            response.ContentType = "application/json";
            response.SendChunked = true;
            if (!watches.TryDequeue(out var events))
            {
                // The last watch stays open, as an API server's does while nothing changes.
                try { await Task.Delay(Timeout.Infinite, stop.Token); } catch (OperationCanceledException) { }
                return;
            }
            foreach (var e in events)
            {
                await Task.Delay(300);
                var line = Encoding.UTF8.GetBytes(e.ToJsonString() + "\n");
                try
                {
                    await response.OutputStream.WriteAsync(line);
                    await response.OutputStream.FlushAsync();
                }
                catch (HttpListenerException) { return; }
            }
        }
    }

    public static JsonObject PodList(string resourceVersion, params JsonObject[] pods) => new()
    {
        ["kind"] = "PodList",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
        ["items"] = new JsonArray(pods.Select(p => (JsonNode)p.DeepClone()).ToArray()),
    };

    public static JsonObject Event(string type, JsonObject obj) => new() { ["type"] = type, ["object"] = obj.DeepClone() };

    public static JsonObject Gone(string resourceVersion) => Event("ERROR", new JsonObject
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = $"too old resource version: {resourceVersion}",
        ["reason"] = "Expired",
        ["code"] = 410,
    });

    /// <summary>A pod as the API returns it: name, node, addresses, containers (and init containers), annotations.</summary>
    public static JsonObject Pod(string name, string node, string resourceVersion, string[] ips, string[] containers,
                                 (string Name, string? RestartPolicy)[]? initContainers = null,
                                 Dictionary<string, string>? annotations = null, bool hostNetwork = false) => new()
    {
        ["kind"] = "Pod",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = "default",
            ["resourceVersion"] = resourceVersion,
            ["annotations"] = new JsonObject((annotations ?? []).Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value))),
        },
        ["spec"] = new JsonObject
        {
            ["nodeName"] = node,
            ["hostNetwork"] = hostNetwork,
            ["containers"] = new JsonArray(containers.Select(c => (JsonNode)new JsonObject { ["name"] = c, ["image"] = "x" }).ToArray()),
            ["initContainers"] = new JsonArray((initContainers ?? []).Select(c => (JsonNode)new JsonObject
                { ["name"] = c.Name, ["image"] = "x", ["restartPolicy"] = c.RestartPolicy }).ToArray()),
        },
        ["status"] = new JsonObject
        {
            ["phase"] = "Running",
            ["podIP"] = ips[0],
            ["podIPs"] = new JsonArray(ips.Select(i => (JsonNode)new JsonObject { ["ip"] = i }).ToArray()),
        },
    };

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Close();
    }
}
