using System.Net;
using System.Net.Sockets;
using Ebpf.Examples.Sockredir.Redirector;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Sockredir;

/// <summary>
/// A fresh network namespace and a test cgroup with the app's redirector loaded (through the app's own
/// loading path, <see cref="SocketRedirector"/>), attached on <see cref="Attach"/>. Sockets are made in the
/// namespace, and in the cgroup or outside it, by <see cref="Connect"/>. Dispose detaches and removes everything.
/// </summary>
internal sealed class SockredirLab : IDisposable
{
    private readonly List<Socket> sockets = [];

    public SockredirLab(RedirectorOptions? options = null)
    {
        Kernel.RequireRoot();
        Ns = new NetNamespace("sr");
        try
        {
            Cgroup = new TempCgroup("sr");
            Redirector = new SocketRedirector(options);
        }
        catch
        {
            Cgroup?.Dispose();
            Ns.Dispose();
            throw;
        }
    }

    public NetNamespace Ns { get; }
    public TempCgroup Cgroup { get; } = null!;
    public SocketRedirector Redirector { get; } = null!;

    public void Attach() => Redirector.Attach(Cgroup.Path);

    /// <summary>Bytes the namespace's loopback has transmitted: what went through the TCP/IP stack.</summary>
    public long LoopbackTxBytes() => long.Parse(Ns.Check("cat", "/sys/class/net/lo/statistics/tx_bytes").Trim());

    /// <summary>
    /// Opens <paramref name="count"/> connections from <paramref name="connectTo"/>'s family to a listener on
    /// <paramref name="listenOn"/>; the listener (hence the accepted sockets) and the clients are created inside the
    /// test cgroup or outside it as asked; the listener in <paramref name="serverNs"/> when given (another namespace,
    /// reached over a veth), else in the lab's. Returns (client, server) pairs, closed on Dispose.
    /// </summary>
    public (Socket Client, Socket Server)[] Connect(int count, IPAddress listenOn, IPAddress connectTo, bool serverInCgroup = true, bool clientInCgroup = true,
                                                    NetNamespace? serverNs = null)
    {
        var listener = CreateIn(serverInCgroup, serverNs ?? Ns, () =>
        {
            var l = new Socket(listenOn.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (listenOn.AddressFamily == AddressFamily.InterNetworkV6)
                l.DualMode = listenOn.Equals(IPAddress.IPv6Any);
            l.Bind(new IPEndPoint(listenOn, 0));
            l.Listen(Math.Max(count, 16));
            return l;
        });
        using (listener)
        {
            var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            var pairs = new (Socket, Socket)[count];
            for (var i = 0; i < count; i++)
            {
                var client = CreateIn(clientInCgroup, Ns, () =>
                {
                    var c = new Socket(connectTo.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                    c.Connect(new IPEndPoint(connectTo, port));
                    return c;
                });
                pairs[i] = (client, listener.Accept());
                lock (sockets)
                    sockets.AddRange([pairs[i].Item1, pairs[i].Item2]);
            }
            return pairs;
        }
    }

    /// <summary>Creates a socket inside <paramref name="ns"/> and, when asked, with this process inside the test cgroup.</summary>
    public T CreateIn<T>(bool inCgroup, NetNamespace ns, Func<T> create)
    {
        return inCgroup ? Cgroup.Enter(() => ns.Enter(create)) : ns.Enter(create);
    }

    public void Dispose()
    {
        // Each step runs even if an earlier one throws: a failed detach must not leave the cgroup and namespace behind.
        try
        {
            lock (sockets)
            {
                foreach (var s in sockets)
                    s.Dispose();
                sockets.Clear();
            }
        }
        finally
        {
            try
            {
                Redirector.Dispose();
            }
            finally
            {
                try
                {
                    Cgroup.Dispose();
                }
                finally
                {
                    Ns.Dispose();
                }
            }
        }
    }
}
