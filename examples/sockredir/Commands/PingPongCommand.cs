using System.Net;
using Ebpf.Examples.Sockredir.Traffic;

namespace Ebpf.Examples.Sockredir.Commands;

/// <summary>`sockredir pingpong serve|run`: the two ends of a request/response measurement, on 127.0.0.1.</summary>
internal static class PingPongCommand
{
    public static int Run(Args a)
    {
        var port = a.Int("--port", 0);
        var size = a.Int("--size", 0);
        if (port is 0 or > 65535 || size == 0)
            throw new UsageException("pingpong needs --port (1-65535) and --size (bytes, at least 1)");
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        switch (a.Positional(1))
        {
            case "serve":
                PingPong.Serve(endpoint, size, a.Flag("--nodelay"), Console.Out);
                return 0;
            case "run":
                var result = PingPong.Run(endpoint, size, TimeSpan.FromMilliseconds(a.Int("--milliseconds", 1000)), 1_000_000, a.Flag("--nodelay"));
                Console.WriteLine(result.ToJson());
                return 0;
            default:
                throw new UsageException("pingpong serve or pingpong run?");
        }
    }
}
