using System.CommandLine;
using System.Net;
using Ebpf.Examples.Sockredir.Traffic;

namespace Ebpf.Examples.Sockredir.Commands;

/// <summary>`sockredir pingpong serve|run`: the two ends of a request/response measurement, on 127.0.0.1 (bench starts them).</summary>
internal static class PingPongCommand
{
    public static Command Create()
    {
        var port = InvariantOptions.RequiredNumber("--port", "TCP port on 127.0.0.1", 1, 65535);
        var size = InvariantOptions.RequiredNumber("--size", "message size in bytes", 1, int.MaxValue);
        var nodelay = new Option<bool>("--nodelay") { Description = "TCP_NODELAY on both ends (Nagle off)" };
        var milliseconds = InvariantOptions.Number("--milliseconds", "how long the client exchanges messages", 1, int.MaxValue, 1000);

        var serve = new Command("serve", "accept one connection and echo SIZE-byte messages until the client closes") { port, size, nodelay };
        serve.SetAction(r =>
        {
            PingPong.Serve(new IPEndPoint(IPAddress.Loopback, r.GetValue(port)), r.GetValue(size), r.GetValue(nodelay), Console.Out);
            return 0;
        });
        var run = new Command("run", "exchange SIZE-byte messages with a server for a while; prints the result as JSON") { port, size, milliseconds, nodelay };
        run.SetAction(r =>
        {
            var result = PingPong.Run(new IPEndPoint(IPAddress.Loopback, r.GetValue(port)), r.GetValue(size),
                TimeSpan.FromMilliseconds(r.GetValue(milliseconds)), 1_000_000, r.GetValue(nodelay));
            Console.WriteLine(result.ToJson());
            return 0;
        });
        return new Command("pingpong", "the request/response client and server bench starts (127.0.0.1)") { serve, run };
    }
}
