using System.Net;
using System.Net.Sockets;
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
        using var prog = TestProgramLoader.Load<SkMsgProgram>("attach_net.bpf.c", "attach_sk_msg");
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
        using var prog = TestProgramLoader.Load<SkSkbProgram>("attach_net.bpf.c", "attach_sk_skb_verdict");
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
}
