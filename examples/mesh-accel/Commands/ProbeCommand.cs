using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Ebpf.Examples.MeshAccel.Commands;

/// <summary>
/// `mesh-accel probe listen`: a stand-in sidecar listener that answers each connection with the original destination it
/// reads from the accepted socket, "orig=ADDR:PORT" (getsockopt SO_ORIGINAL_DST for IPv4, IP6T_SO_ORIGINAL_DST for
/// IPv6), or "orig=none (reason)". HAProxy asks only for IPv4; this asks for both, so IPv6 interception can be checked.
/// </summary>
internal static class ProbeCommand
{
    private const int SolIp = 0, SolIpv6 = 41, SoOriginalDst = 80;

    public static Command Build()
    {
        var port = new Option<int>("--port") { Description = "port to listen on", Required = true };
        var family = new Option<int>("--family") { Description = "4 (0.0.0.0) or 6 ([::], IPv6 only)", DefaultValueFactory = _ => 6 };
        family.AcceptOnlyFromAmong("4", "6");
        var count = new Option<int>("--count") { Description = "connections to answer before exiting; 0: until killed", DefaultValueFactory = _ => 0 };
        var listen = new Command("listen", "answer each connection with its original destination") { port, family, count };
        listen.SetAction(r => Listen(r.GetValue(port), r.GetValue(family) == 6, r.GetValue(count)));
        var echoPort = new Option<int>("--port") { Description = "port to listen on (IPv4 and IPv6)", Required = true };
        var echo = new Command("echo", "send back every byte received, on each connection, until killed") { echoPort };
        echo.SetAction(r => Echo(r.GetValue(echoPort)));
        var to = new Option<string>("--to") { Description = "ADDRESS:PORT of an echo server", Required = true };
        var bytes = new Option<int>("--bytes") { Description = "bytes each connection sends (and must get back)", DefaultValueFactory = _ => 65536 };
        var connections = new Option<int>("--connections") { Description = "connections at the same time", DefaultValueFactory = _ => 1 };
        var check = new Command("echo-check", "send a pattern through an echo server on many connections at once; exit 1 unless every byte came back in order") { to, bytes, connections };
        check.SetAction(r => EchoCheck(IPEndPoint.Parse(r.GetValue(to)!), r.GetValue(bytes), r.GetValue(connections)));
        return new Command("probe", "diagnostics: see what a sidecar would see; an echo server and client for byte-exact checks") { listen, echo, check };
    }

    private static int Listen(int port, bool v6, int count)
    {
        using var listener = new Socket(v6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (v6)
            listener.DualMode = false;
        listener.Bind(new IPEndPoint(v6 ? IPAddress.IPv6Any : IPAddress.Any, port));
        listener.Listen(128);
        Console.WriteLine($"listening on {listener.LocalEndPoint}");
        for (var n = 0; count == 0 || n < count; n++)
        {
            using var s = listener.Accept();
            var line = $"orig={OriginalDestination(s)} peer={s.RemoteEndPoint} local={s.LocalEndPoint}\n";
            Console.Write(line);
            s.Send(Encoding.ASCII.GetBytes(line));
            s.Shutdown(SocketShutdown.Both);
        }
        return 0;
    }

    private static int Echo(int port)
    {
        using var listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
        listener.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
        listener.Listen(512);
        Console.WriteLine($"echoing on {listener.LocalEndPoint}");
        while (true)
        {
            var s = listener.Accept();
            _ = Task.Run(async () =>
            {
                using (s)
                using (var stream = new NetworkStream(s))
                {
                    try { await stream.CopyToAsync(stream); s.Shutdown(SocketShutdown.Send); }
                    catch (IOException) { }
                    catch (SocketException) { }
                }
            });
        }
    }

    private static int EchoCheck(IPEndPoint to, int bytes, int connections)
    {
        var failures = Task.WhenAll(Enumerable.Range(0, connections).Select(i => Task.Run(async () =>
        {
            // Each connection its own pattern (offset by its number), so bytes crossing between connections show too.
            var pattern = new byte[bytes];
            for (var k = 0; k < bytes; k++)
                pattern[k] = (byte)(k * 31 + (k >> 8) * 7 + i);
            using var s = new Socket(to.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await s.ConnectAsync(to);
            var send = Task.Run(async () =>
            {
                for (var off = 0; off < bytes; off += 16384)
                    await s.SendAsync(pattern.AsMemory(off, Math.Min(16384, bytes - off)));
                s.Shutdown(SocketShutdown.Send);
            });
            var got = new byte[bytes];
            var n = 0;
            while (n < bytes)
            {
                var r = await s.ReceiveAsync(got.AsMemory(n));
                if (r == 0)
                    break;
                n += r;
            }
            await send;
            if (n != bytes)
                return $"connection {i}: {n} of {bytes} bytes came back";
            var first = Enumerable.Range(0, bytes).FirstOrDefault(k => got[k] != pattern[k], -1);
            return first >= 0 ? $"connection {i}: byte {first} differs" : null;
        }))).Result.OfType<string>().ToArray();
        foreach (var f in failures)
            Console.WriteLine(f);
        Console.WriteLine(failures.Length == 0 ? $"ok: {connections} connection(s), {bytes} bytes each way, intact" : $"failed: {failures.Length} of {connections} connection(s)");
        return failures.Length == 0 ? 0 : 1;
    }

    /// <summary>The original destination conntrack or mesh-accel's getsockopt program gives for an accepted socket.</summary>
    public static string OriginalDestination(Socket s)
    {
        var v6 = s.AddressFamily == AddressFamily.InterNetworkV6 && !((IPEndPoint)s.LocalEndPoint!).Address.IsIPv4MappedToIPv6;
        Span<byte> buf = stackalloc byte[128];
        try
        {
            var n = s.GetRawSocketOption(v6 ? SolIpv6 : SolIp, SoOriginalDst, buf);
            var family = MemoryMarshal.Read<ushort>(buf);
            var portBe = (ushort)((buf[2] << 8) | buf[3]);
            return family switch
            {
                2 when n >= 8 => $"{new IPAddress(buf.Slice(4, 4))}:{portBe}",
                10 when n >= 24 => $"[{new IPAddress(buf.Slice(8, 16))}]:{portBe}",
                _ => $"none (family {family}, {n} bytes)",
            };
        }
        catch (SocketException e)
        {
            return $"none ({e.SocketErrorCode})";
        }
    }
}
