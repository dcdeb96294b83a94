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
        return new Command("probe", "diagnostics: see what a sidecar would see") { listen };
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
