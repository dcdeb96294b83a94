using System.Net;

namespace Ebpf.Examples.Health;

/// <summary>The request loop of the apps' HttpListener endpoints (health probes, tcptop's /metrics).</summary>
public static class HttpListenerRequests
{
    /// <summary>
    /// Hands every request to <paramref name="answer"/>, each on a task of its own (two scrapers or probes at once are
    /// answered at once), until the listener is closed.
    /// </summary>
    public static async Task ServeAsync(HttpListener listener, Func<HttpListenerContext, Task> answer)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // closed
            }
            _ = Task.Run(() => answer(context));
        }
    }
}
