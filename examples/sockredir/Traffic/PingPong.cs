using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Ebpf.Examples.Sockredir.Traffic;

/// <summary>The result of a request/response run: per-exchange latency percentiles and exchanges per second.</summary>
internal sealed record PingPongResult(int Size, int Exchanges, double Seconds, double P50Micros, double P99Micros)
{
    public double TransactionsPerSecond => Exchanges / Seconds;

    /// <summary>One line: what `pingpong run` prints and bench reads back.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Compact.PingPongResult);

    public static PingPongResult FromJson(string json) =>
        JsonSerializer.Deserialize(json, SockredirJson.Default.PingPongResult) ?? throw new FormatException($"not a ping-pong result: {json}");

    private static readonly SockredirJson Compact = new(new System.Text.Json.JsonSerializerOptions { WriteIndented = false });
}

/// <summary>
/// Request/response of one message size over one TCP connection (what qperf tcp_lat measures, plus percentiles,
/// for any size): the client writes N bytes, the server reads exactly N and writes them back, the client reads N
/// and checks every byte. Nagle stays on unless asked, as in most applications. Used by `bench` as two processes.
/// </summary>
internal static class PingPong
{
    /// <summary>Accepts one connection on <paramref name="endpoint"/> and echoes <paramref name="size"/>-byte messages until the client closes.</summary>
    public static void Serve(IPEndPoint endpoint, int size, bool noDelay, TextWriter ready)
    {
        using var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(endpoint);
        listener.Listen(1);
        ready.WriteLine("ready");
        ready.Flush();
        using var s = listener.Accept();
        s.NoDelay = noDelay;
        var buffer = new byte[size];
        while (ReadExactly(s, buffer))
            WriteAll(s, buffer);
    }

    /// <summary>Runs exchanges for <paramref name="duration"/> (at least 10, at most <paramref name="maxExchanges"/>).</summary>
    public static PingPongResult Run(IPEndPoint server, int size, TimeSpan duration, int maxExchanges, bool noDelay)
    {
        using var s = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = noDelay };
        s.Connect(server);
        var request = new byte[size];
        var response = new byte[size];
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        for (var i = 0; i < maxExchanges && (i < 10 || total.Elapsed < duration); i++)
        {
            Array.Fill(request, (byte)(i * 31 + 7));
            request[0] = (byte)i;
            request[^1] = (byte)(i >> 8);
            var t = Stopwatch.GetTimestamp();
            WriteAll(s, request);
            if (!ReadExactly(s, response))
                throw new IOException($"the server closed the connection after {i} exchanges");
            times.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
            if (!request.AsSpan().SequenceEqual(response))
                throw new IOException($"exchange {i}: the echoed {size} bytes differ from the request");
        }
        var seconds = total.Elapsed.TotalSeconds;
        s.Shutdown(SocketShutdown.Both);
        times.Sort();
        return new PingPongResult(size, times.Count, seconds, Percentile(times, 0.50), Percentile(times, 0.99));
    }

    private static double Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

    private static bool ReadExactly(Socket s, byte[] buffer)
    {
        for (var got = 0; got < buffer.Length;)
        {
            var n = s.Receive(buffer, got, buffer.Length - got, SocketFlags.None);
            if (n == 0)
                return false;
            got += n;
        }
        return true;
    }

    private static void WriteAll(Socket s, byte[] buffer)
    {
        for (var sent = 0; sent < buffer.Length;)
            sent += s.Send(buffer, sent, buffer.Length - sent, SocketFlags.None);
    }
}
