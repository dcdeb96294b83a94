using System.Net.Sockets;
using System.Text;
using Ebpf.Examples.XdpProxy.Linux;

namespace Ebpf.Examples.XdpProxy.ControlPlane;

/// <summary>
/// How `backend add|remove` and `stats` reach a running balancer: a Unix socket in the abstract
/// namespace (no file, so a killed `run` leaves nothing behind), named after the interface it
/// balances. One request line in, one reply out; `run` stays the only writer of the maps.
/// Reply lines start with "ok " or "error ".
/// </summary>
internal sealed class ControlSocket : IDisposable
{
    private const string NamePrefix = "ebpf-xdp-proxy:";
    private readonly Socket listener;
    private readonly Func<string, string> handler;
    private readonly Thread thread;

    public ControlSocket(string iface, string? netns, Func<string, string> handler)
    {
        this.handler = handler;
        listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint("\0" + Name(iface, netns)));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            listener.Dispose();
            throw new ToolException($"a balancer is already running on {iface}{(netns is null ? "" : $" in {netns}")}; stop it first");
        }
        listener.Listen(8);
        thread = new Thread(Serve) { IsBackground = true, Name = "control socket" };
        thread.Start();
    }

    public static string Name(string iface, string? netns) => $"{NamePrefix}{netns ?? "-"}:{iface}";

    /// <summary>Sends one request to the balancer chosen by iface/netns (or the only one running).</summary>
    public static string Send(string request, string? iface, string? netns)
    {
        var name = Pick(iface, netns);
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Connect(new UnixDomainSocketEndPoint("\0" + name));
        s.Send(Encoding.UTF8.GetBytes(request + "\n"));
        s.Shutdown(SocketShutdown.Send);
        var reply = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = s.Receive(buffer)) > 0)
            reply.Write(buffer, 0, n);
        return Encoding.UTF8.GetString(reply.ToArray());
    }

    /// <summary>Names of running balancers' sockets (from /proc/net/unix, where abstract names start with '@').</summary>
    public static IReadOnlyList<string> Running() =>
        File.ReadLines("/proc/net/unix")
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 8 && f[^1].StartsWith("@" + NamePrefix, StringComparison.Ordinal))
            .Select(f => f[^1][1..])
            .Distinct()
            .ToArray();

    public void Dispose()
    {
        listener.Dispose();
    }

    private static string Pick(string? iface, string? netns)
    {
        var running = Running();
        if (iface is not null)
        {
            var name = Name(iface, netns);
            return running.Contains(name) ? name
                : throw new ToolException($"no balancer is running on {iface}{(netns is null ? "" : $" in {netns}")} (running: {Describe(running)})");
        }
        return running.Count switch
        {
            1 => running[0],
            0 => throw new ToolException("no balancer is running: start one with `xdp-proxy run ...`"),
            _ => throw new ToolException($"several balancers are running ({Describe(running)}): choose one with --iface IF [--netns NS]"),
        };
    }

    private static string Describe(IReadOnlyList<string> names) =>
        names.Count == 0 ? "none" : string.Join(", ", names.Select(n => n[NamePrefix.Length..]));

    private void Serve()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return; // disposed: the balancer is stopping
            }
            using (client)
            {
                try
                {
                    using var stream = new NetworkStream(client);
                    using var reader = new StreamReader(stream, Encoding.UTF8);
                    var request = reader.ReadLine() ?? "";
                    string reply;
                    try
                    {
                        reply = "ok " + handler(request.Trim());
                    }
                    catch (Exception e) when (e is ArgumentException or ToolException or FormatException or BpfException)
                    {
                        reply = "error " + e.Message;
                    }
                    stream.Write(Encoding.UTF8.GetBytes(reply + "\n"));
                }
                catch (IOException)
                {
                    // the client went away
                }
            }
        }
    }
}
