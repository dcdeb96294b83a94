using System.Net;
using System.Net.Sockets;
using Ebpf.Maps;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

[Collection(KernelCollection.Name)]
public sealed class AttachSockmapTests
{
    [Fact]
    public void SkMsg_on_a_sockhash_runs_on_each_send_of_a_socket_in_the_map()
    {
        Kernel.RequireRoot();
        using var stats = BpfStats.Enable();
        using var obj = TestObjects.Load("attach_net.bpf.c");
        var prog = obj.GetProgram<SkMsgProgram>("attach_sk_msg");
        using var map = TestMaps.CreateSockHash();
        var link = prog.AttachToMap(map, "test_sockhash");
        try
        {
            // Linux 6.10+ has sockmap links; this kernel (6.18) must use one, not the PROG_ATTACH fallback.
            Assert.True(link.IsKernelLink, link.Description);
            Assert.True(Bpftool.LinkExists(link.Id));

            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.Connect(listener.LocalEndpoint);
            using var server = listener.AcceptSocket();
            TestMaps.PutSocket(map, 1, (int)client.Handle);

            for (var i = 0; i < 5; i++)
                client.Send(new byte[] { 1, 2, 3 });
            var buf = new byte[64];
            var got = 0;
            while (got < 15)
                got += server.Receive(buf, got, buf.Length - got, SocketFlags.None);
            Assert.Equal(15, got); // SK_PASS delivers the data unchanged
            Assert.Equal(5UL, prog.RunStatistics.RunCount);
        }
        finally
        {
            link.Dispose();
        }
        Assert.False(Bpftool.LinkExists(link.Id));
    }

    [Fact]
    public void SkSkb_verdict_on_a_sockhash_runs_on_data_a_socket_in_the_map_receives()
    {
        Kernel.RequireRoot();
        using var stats = BpfStats.Enable();
        using var obj = TestObjects.Load("attach_net.bpf.c");
        var prog = obj.GetProgram<SkSkbProgram>("attach_sk_skb_verdict");
        using var map = TestMaps.CreateSockHash();
        using var link = prog.AttachToMap(map, "test_sockhash");
        Assert.True(link.IsKernelLink, link.Description);
        Assert.Contains("StreamVerdict", link.Description);

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndpoint);
        using var server = listener.AcceptSocket();
        TestMaps.PutSocket(map, 1, (int)server.Handle);
        client.Send(new byte[] { 1, 2, 3 });
        var buf = new byte[16];
        server.ReceiveTimeout = 5000;
        Assert.Equal(3, server.Receive(buf));
        Assert.True(prog.RunStatistics.RunCount >= 1);
    }

    /// <summary>The whole path a user takes: BpfObject loads the object, typed maps, AttachToMap(SockHashMap).</summary>
    [Fact]
    public void SkMsg_from_a_loaded_object_attaches_to_its_typed_sockhash_and_counts_messages()
    {
        Kernel.RequireRoot();
        using var obj = BpfObject.OpenFile(TestObjects.Compile("attach_sockmap.bpf.c"));
        obj.Load();
        var prog = obj.GetProgram<SkMsgProgram>("attach_count_msg");
        var socks = new SockHashMap<uint>(obj.GetMap("attach_socks"));
        var stats = new ArrayMap<ulong>(obj.GetMap("attach_msg_stats"));
        using var link = prog.AttachToMap(socks);
        Assert.True(link.IsKernelLink, link.Description);

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndpoint);
        using var server = listener.AcceptSocket();
        socks.Update(7, client);
        client.Send(new byte[100]);
        client.Send(new byte[23]);
        var buf = new byte[256];
        var got = 0;
        server.ReceiveTimeout = 5000;
        while (got < 123)
            got += server.Receive(buf, got, buf.Length - got, SocketFlags.None);
        Assert.Equal(2UL, stats[0]);
        Assert.Equal(123UL, stats[1]);

        // Kernel semantics: a socket takes the map's programs when it enters the map, so detaching stops the
        // program for sockets added later; one already in the map keeps it until it leaves the map.
        link.Dispose();
        Assert.False(Bpftool.LinkExists(link.Id));
        client.Send(new byte[5]);
        Assert.Equal(5, server.Receive(buf));
        Assert.Equal(3UL, stats[0]);
        Assert.True(socks.TryDelete(7));
        socks.Update(8, client);
        client.Send(new byte[5]);
        Assert.Equal(5, server.Receive(buf));
        Assert.Equal(3UL, stats[0]);
    }
}
