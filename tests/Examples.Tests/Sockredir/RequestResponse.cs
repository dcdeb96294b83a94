using System.Diagnostics;
using System.Net.Sockets;

namespace Ebpf.Examples.Tests.Sockredir;

/// <summary>Request/response over one connection: the client sends a request, the server echoes it, the client checks it.</summary>
internal static class RequestResponse
{
    /// <summary>One run of exchanges: total time and the per-exchange distribution (for failure messages).</summary>
    public sealed record Run(TimeSpan Total, double P50Micros, double P99Micros, double MaxMicros, int OverOneMs)
    {
        public override string ToString() =>
            $"{Total.TotalMilliseconds:0.0} ms (per exchange p50 {P50Micros:0} us, p99 {P99Micros:0} us, max {MaxMicros:0} us, {OverOneMs} over 1 ms)";
    }

    /// <summary><paramref name="count"/> exchanges of <paramref name="size"/> bytes each way; closes both sockets.</summary>
    public static Run Exchanges((Socket Client, Socket Server) pair, int size, int count)
    {
        var (client, server) = pair;
        var echo = Task.Run(() =>
        {
            var b = new byte[size];
            for (var i = 0; i < count; i++)
            {
                Streams.ReadExactly(server, b);
                Streams.WriteAll(server, b);
            }
        });
        var request = new byte[size];
        var response = new byte[size];
        var times = new double[count];
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            Streams.Fill(request, size, i, 0);
            var t = Stopwatch.GetTimestamp();
            Streams.WriteAll(client, request);
            Streams.ReadExactly(client, response);
            times[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
            if (!request.AsSpan().SequenceEqual(response))
                throw new IOException($"exchange {i}: the response differs from the request");
        }
        sw.Stop();
        echo.Wait();
        client.Dispose();
        server.Dispose();
        Array.Sort(times);
        return new Run(sw.Elapsed, times[count / 2], times[count * 99 / 100], times[^1], times.Count(t => t > 1000));
    }
}
