using System.Net;
using System.Net.Sockets;
using System.Text;
using Ebpf.Examples.Linux;

namespace Ebpf.Examples.Tests;

/// <summary>
/// A minimal HTTP/1.1 client for the lab: the socket is created on a thread inside the client's
/// network namespace (a socket belongs to the namespace it was created in) and then used from anywhere.
/// Every operation has a deadline, so a hung connection fails the test instead of stalling it.
/// </summary>
internal sealed class XdpProxyHttp : IDisposable
{
    private readonly Socket socket;
    private readonly byte[] buffer = new byte[4096];

    private XdpProxyHttp(Socket socket) => this.socket = socket;

    public static async Task<XdpProxyHttp> ConnectAsync(string netns, IPEndPoint server, TimeSpan timeout)
    {
        var s = NetNs.Run(netns, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            await s.ConnectAsync(server, cts.Token);
            return new XdpProxyHttp(s);
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    public int LocalPort => ((IPEndPoint)socket.LocalEndPoint!).Port;

    /// <summary>GET / and the response body (the backend's name, trimmed).</summary>
    public async Task<string> GetAsync(bool close, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var request = $"GET / HTTP/1.1\r\nHost: lab\r\n{(close ? "Connection: close\r\n" : "")}\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, cts.Token);
        var received = new StringBuilder();
        while (true)
        {
            var text = received.ToString();
            var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headerEnd >= 0)
            {
                var length = ContentLength(text[..headerEnd]);
                if (text.Length - headerEnd - 4 >= length)
                {
                    if (!text.StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
                        throw new InvalidOperationException($"unexpected response: {text}");
                    return text.Substring(headerEnd + 4, length).Trim();
                }
            }
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (n == 0)
                throw new InvalidOperationException($"connection closed before the whole response arrived: '{text}'");
            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
    }

    /// <summary>
    /// Sends <paramref name="count"/> GET / requests in one write (pipelined) and reads until as many
    /// 200 responses have arrived; returns how many did before the peer closed or the deadline.
    /// </summary>
    public async Task<int> PipelineAsync(int count, TimeSpan timeout)
    {
        const string ok = "HTTP/1.1 200";
        using var cts = new CancellationTokenSource(timeout);
        var request = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("GET / HTTP/1.1\r\nHost: lab\r\n\r\n", count)));
        var send = socket.SendAsync(request, SocketFlags.None, cts.Token).AsTask(); // the answers flow while we send
        var seen = 0;
        var carry = ""; // the last few characters, for a status line split across two reads
        try
        {
            while (seen < count)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (n == 0)
                    break;
                var text = carry + Encoding.ASCII.GetString(buffer, 0, n);
                for (var i = text.IndexOf(ok, StringComparison.Ordinal); i >= 0; i = text.IndexOf(ok, i + ok.Length, StringComparison.Ordinal))
                    seen++;
                carry = text[Math.Max(0, text.Length - (ok.Length - 1))..];
            }
            await send;
        }
        catch (OperationCanceledException)
        {
            // the deadline: report what arrived
        }
        return seen;
    }

    public void Dispose() => socket.Dispose();

    private static int ContentLength(string headers)
    {
        foreach (var line in headers.Split("\r\n"))
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                return int.Parse(line["Content-Length:".Length..].Trim());
        throw new InvalidOperationException($"response without Content-Length: {headers}");
    }
}
