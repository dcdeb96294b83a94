using System.Net;
using System.Net.Sockets;
using Ebpf.Testing;

namespace EbpfCgroup.Tests;

public sealed class ConnectsTests
{
    // Fixtures: a cgroup made for the test; the programs are detached (links disposed) before it is removed.
    [BpfFact]
    public void The_connects_of_a_process_in_the_cgroup_are_counted_per_destination()
    {
        using var cgroup = new TempCgroup("connects");
        using var listener = new ListeningSocket();
        using var skel = ConnectsSkel.OpenAndLoad();
        using var connect4 = skel.Programs.CountConnect4.AttachCgroup(cgroup.Path);
        using var connect6 = skel.Programs.CountConnect6.AttachCgroup(cgroup.Path);

        cgroup.Run("bash", "-c", $"for i in 1 2; do exec 3<>/dev/tcp/127.0.0.1/{listener.Port}; exec 3>&-; done").EnsureSuccess();

        Assert.Equal([new ConnectCount("TCP", new IPEndPoint(IPAddress.Loopback, listener.Port), 2)], ConnectCounts.Read(skel));
    }

    [BpfFact]
    public void A_process_outside_the_cgroup_is_not_counted()
    {
        using var cgroup = new TempCgroup("connects");
        using var listener = new ListeningSocket();
        using var skel = ConnectsSkel.OpenAndLoad();
        using var connect4 = skel.Programs.CountConnect4.AttachCgroup(cgroup.Path);

        using (var client = new TcpClient())
            client.Connect(IPAddress.Loopback, listener.Port);   // this test process is not in the cgroup

        Assert.Empty(ConnectCounts.Read(skel));
    }

    /// <summary>A TCP listener on a free loopback port, for connects that succeed.</summary>
    private sealed class ListeningSocket : IDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);

        public ListeningSocket() => listener.Start();

        public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

        public void Dispose() => listener.Stop();
    }
}
