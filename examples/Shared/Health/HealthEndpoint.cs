using System.CommandLine;
using System.Net;
using System.Text;
using Ebpf.Examples.Linux;

namespace Ebpf.Examples.Health;

/// <summary>
/// What a health check found: whether the agent's programs are attached, whether it is ready beyond that (mesh-accel:
/// its first pod set is in the maps), and one line saying so.
/// </summary>
public readonly record struct HealthReport(bool Attached, string Text, bool Ready = true);

/// <summary>
/// A node agent's probe endpoints, the check run at each request. GET /healthz (liveness): 200 and "ok: ..." while its
/// programs are attached, else 503 and "not attached: ...", so the kubelet restarts an agent whose programs went away.
/// GET /readyz (readiness): the same, and 503 "not ready: ..." while attached but not ready yet. HttpListener, as tcptop's
/// exporter: no ASP.NET.
/// </summary>
public sealed class HealthEndpoint : IDisposable
{
    public const string Path = "/healthz";
    public const string ReadyPath = "/readyz";

    private readonly HttpListener listener;
    private readonly Func<HealthReport> check;
    private readonly Task serving;

    public HealthEndpoint(string listen, Func<HealthReport> check)
    {
        this.check = check;
        var (host, port) = ListenAddress.Parse(listen, "--health");
        try
        {
            listener = HttpListenerRace.Start(() =>
            {
                var l = new HttpListener();
                l.Prefixes.Add($"http://{host}:{port}{Path}/");
                l.Prefixes.Add($"http://{host}:{port}{ReadyPath}/");
                return l;
            }, l => l.Start());
        }
        catch (HttpListenerException e)
        {
            throw new ToolException($"--health {listen}: cannot listen on port {port} ({e.Message}); choose a free one");
        }
        Url = $"http://{(host == "+" ? "0.0.0.0" : host)}:{port}{Path}";
        serving = Task.Run(() => HttpListenerRequests.ServeAsync(listener, Answer));
    }

    public string Url { get; }

    private async Task Answer(HttpListenerContext context)
    {
        try
        {
            HealthReport report;
            try
            {
                report = check();
            }
            catch (Exception e) when (e is not OutOfMemoryException) // a failing check is a 503 with its reason, never a dead endpoint
            {
                report = new HealthReport(false, $"check failed: {e.Message}");
            }
            var readiness = context.Request.Url?.AbsolutePath.TrimEnd('/') == ReadyPath;
            var ok = report.Attached && (report.Ready || !readiness);
            var prefix = ok ? "ok: " : report.Attached ? "not ready: " : "not attached: ";
            var body = Encoding.UTF8.GetBytes(prefix + report.Text + "\n");
            context.Response.StatusCode = ok ? 200 : 503;
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // the client went away
        }
    }

    public void Dispose()
    {
        listener.Close();
        try { serving.Wait(TimeSpan.FromSeconds(2)); }
        catch (AggregateException) { }
    }
}

/// <summary>The --health option of the agents that have no metrics endpoint.</summary>
public static class HealthOption
{
    public static Option<string?> Create() => new("--health")
    {
        Description = $"serve GET {HealthEndpoint.Path} and {HealthEndpoint.ReadyPath} on ADDR:PORT (200 while the programs are attached and, for {HealthEndpoint.ReadyPath}, the agent is ready; else 503), for Kubernetes probes; default: none",
        HelpName = "ADDR:PORT",
    };
}
