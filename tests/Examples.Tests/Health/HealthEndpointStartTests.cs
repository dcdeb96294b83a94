using System.Net;
using System.Net.Sockets;
using Ebpf.Examples.Health;
using Ebpf.Examples.Tcptop.Export;
using Ebpf.Examples.Tests.Tcptop;
using Prometheus;

namespace Ebpf.Examples.Tests.Health;

/// <summary>
/// .NET's managed HttpListener (the one on Linux) throws ArgumentNullException from Start() when a client connects while
/// it starts (dotnet/corefx#35191, still in .NET 10). Probes and scrapers connect at any moment, so an agent that
/// restarts under them hit it (a Deploy test's restarted mesh-accel died of it). Here a client connects without pause
/// while a server starts, many times over: every start (through <see cref="HttpListenerRace"/>) succeeds and answers.
/// </summary>
public sealed class HealthEndpointStartTests
{
    [Fact]
    public Task TheHealthEndpointStartsWhileAClientKeepsConnecting() =>
        StartManyTimesUnderConnects(port => new HealthEndpoint($"127.0.0.1:{port}", () => new HealthReport(true, "fine")),
                                    HealthEndpoint.Path, body => Assert.Equal("ok: fine\n", body));

    [Fact]
    public Task TcptopsMetricsEndpointStartsWhileAClientKeepsConnecting() =>
        StartManyTimesUnderConnects(port => new MetricsEndpoint("127.0.0.1", port, Metrics.NewCustomRegistry()), "/metrics", body => Assert.NotNull(body));

    /// <summary>40 times: a client connects without pause to a free port while <paramref name="start"/> starts a server there, which must then answer.</summary>
    private static async Task StartManyTimesUnderConnects(Func<int, IDisposable> start, string path, Action<string> check)
    {
        for (var i = 0; i < 40; i++)
        {
            var port = ExportRun.FreePort();
            using var stop = new CancellationTokenSource();
            var hammer = Task.Run(() => KeepConnecting(port, stop.Token), TestContext.Current.CancellationToken);
            try
            {
                using var server = start(port);
                using var http = new HttpClient();
                check(await http.GetStringAsync($"http://127.0.0.1:{port}{path}", TestContext.Current.CancellationToken));
            }
            finally
            {
                stop.Cancel();
                await hammer;
            }
        }
    }

    /// <summary>Connects and closes in a loop (refused while nothing listens) until stopped.</summary>
    private static void KeepConnecting(int port, CancellationToken stop)
    {
        var target = new IPEndPoint(IPAddress.Loopback, port);
        while (!stop.IsCancellationRequested)
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try { s.Connect(target); }
            catch (SocketException) { }
        }
    }
}
