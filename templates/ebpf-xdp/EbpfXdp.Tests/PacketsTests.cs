using Ebpf.Programs;
using Ebpf.Testing;

namespace EbpfXdp.Tests;

public sealed class PacketsTests
{
    // BPF_PROG_TEST_RUN: the kernel runs the program on a frame built here, no interface involved.
    [BpfFact]
    public void A_udp_packet_is_passed_unchanged_and_counted_as_IPv4_UDP()
    {
        using var skel = PacketsSkel.OpenAndLoad();
        var frame = PacketBuilder.Ethernet().Ipv4("192.0.2.1", "192.0.2.2").Udp(40000, 53).Payload("hello");

        TestRun.Of(skel.Programs.CountPackets).WithFrame(frame).Repeat(3).Run()
            .ShouldReturn(XdpAction.Pass)
            .ShouldLeaveFrameUnchanged();

        ulong length = (ulong)frame.Build().Length;
        Assert.Equal([new ProtocolCount("IPv4/UDP", 3, 3 * length)], ProtocolCounts.Read(skel));
    }

    [BpfFact]
    public void Each_protocol_is_counted_apart()
    {
        using var skel = PacketsSkel.OpenAndLoad();
        var tcp6 = PacketBuilder.Ethernet().Ipv6("2001:db8::1", "2001:db8::2").Tcp(40000, 443);
        var arp = PacketBuilder.Ethernet().Arp(1, PacketBuilder.DefaultSourceMac, "192.0.2.1", "00:00:00:00:00:00", "192.0.2.2");

        TestRun.Of(skel.Programs.CountPackets).WithFrame(tcp6).Repeat(2).Run().ShouldReturn(XdpAction.Pass);
        TestRun.Of(skel.Programs.CountPackets).WithFrame(arp).Run().ShouldReturn(XdpAction.Pass);

        Assert.Equal([("IPv6/TCP", 2UL), ("ARP", 1UL)], ProtocolCounts.Read(skel).Select(c => (c.Protocol, c.Packets)));
    }

    // Fixtures: two network namespaces joined by a veth pair, removed again at the end of the test.
    [BpfFact]
    public void Attached_to_a_veth_it_counts_the_datagrams_the_other_end_sends()
    {
        using var receiver = new NetNamespace("rx");
        using var sender = new NetNamespace("tx");
        using var veth = new VethPair(receiver, "10.77.0.1/24", sender, "10.77.0.2/24");
        // A permanent neighbour entry: no ARP, so only the datagrams reach the receiver over IPv4.
        var mac = receiver.Check("cat", $"/sys/class/net/{veth.NameA}/address").Trim();
        sender.Check("ip", "neigh", "replace", "10.77.0.1", "lladdr", mac, "dev", veth.NameB, "nud", "permanent");

        using var skel = PacketsSkel.OpenAndLoad();
        // The interface name is looked up in the namespace of the calling thread: attach from inside the receiver's.
        using var link = receiver.Enter(() => skel.Programs.CountPackets.AttachXdp(veth.NameA));
        sender.Check("bash", "-c", "for i in 1 2 3 4 5; do printf hello > /dev/udp/10.77.0.1/9; done");

        var deadline = DateTime.UtcNow.AddSeconds(5);   // the receiving end processes the packets asynchronously
        while (UdpPackets(skel) < 5 && DateTime.UtcNow < deadline)
            Thread.Sleep(50);
        Assert.Equal(5UL, UdpPackets(skel));
    }

    private static ulong UdpPackets(PacketsSkel skel) =>
        ProtocolCounts.Read(skel).SingleOrDefault(c => c.Protocol == "IPv4/UDP")?.Packets ?? 0;
}
