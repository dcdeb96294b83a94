using System.Net;
using System.Net.Sockets;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

[Collection(KernelCollection.Name)]
public sealed class AttachSocketFilterTests
{
    [Fact]
    public void Socket_filter_runs_for_each_datagram_the_socket_receives_until_detached()
    {
        Kernel.RequireRoot();
        using var stats = BpfStats.Enable();
        using var obj = TestObjects.Load("attach_net.bpf.c");
        var prog = obj.GetProgram<SocketFilterProgram>("attach_socket_all");
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        receiver.ReceiveTimeout = 5000;
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var buf = new byte[64];

        var link = prog.AttachToSocket(receiver);
        Assert.False(link.IsKernelLink); // the kernel has no link for socket filters
        for (var i = 0; i < 4; i++)
        {
            sender.SendTo(new byte[] { 9, 8, 7 }, receiver.LocalEndPoint!);
            Assert.Equal(3, receiver.Receive(buf)); // the filter keeps whole packets
        }
        Assert.Equal(4UL, prog.RunStatistics.RunCount);

        link.Dispose();
        sender.SendTo(new byte[] { 1 }, receiver.LocalEndPoint!);
        Assert.Equal(1, receiver.Receive(buf));
        Assert.Equal(4UL, prog.RunStatistics.RunCount);
    }
}
