namespace Ebpf.Examples.Health;

/// <summary>
/// Starts and stops an HttpListener-based server around a race of .NET's managed HttpListener (the one on Linux;
/// dotnet/corefx#35191, still in .NET 10): when a client connects while Start() runs, the listener's first accept can
/// complete at once, before the listener has finished constructing, and Start() throws ArgumentNullException from
/// HttpEndPointListener.ProcessAccept. Kubelet probes and Prometheus scrapes connect at any moment, so an agent that
/// restarts under them hits it. The abandoned listener's socket is still bound then; it is closed by its finalizer, so
/// a retry collects it first and starts a new server. The same race can strike when a listener is closed after it was
/// stopped (prometheus-net's MetricServer does both): the close finds the port's endpoint gone and builds it once more
/// to remove it (HttpEndPointManager.RemovePrefixInternal).
/// </summary>
public static class HttpListenerRace
{
    private const int Attempts = 10;

    /// <summary>Creates a server with <paramref name="create"/> and starts it with <paramref name="start"/>, again with a new one after the race.</summary>
    public static T Start<T>(Func<T> create, Action<T> start) where T : IDisposable
    {
        for (var attempt = 1; ; attempt++)
        {
            var server = create();
            try
            {
                start(server);
                return server;
            }
            catch (ArgumentNullException) when (attempt < Attempts)
            {
                try { Dispose(server); }
                catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or System.Net.HttpListenerException) { } // half-started
                GC.Collect();
                GC.WaitForPendingFinalizers(); // closes the half-built listener's bound socket, so the port is free again
            }
        }
    }

    /// <summary>Disposes the server; the race at its close (see above) is harmless at that point and ignored.</summary>
    public static void Dispose(IDisposable server)
    {
        try
        {
            server.Dispose();
        }
        catch (ArgumentNullException)
        {
            // the endpoint rebuilt to be removed met a connecting client; the server is stopped either way
        }
    }
}
