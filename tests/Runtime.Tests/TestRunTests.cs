using Ebpf.Links;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

public sealed class TestRunTests
{
    private const string Source = "attach_net.bpf.c";

    private static byte[] Frame(int length)
    {
        var f = new byte[length];
        for (var i = 0; i < length; i++)
            f[i] = (byte)i;
        f[12] = 0x08; f[13] = 0x00; // EtherType IPv4
        return f;
    }

    [Fact]
    public void Xdp_program_that_rewrites_and_transmits_returns_XDP_TX_and_the_rewritten_frame()
    {
        Kernel.RequireRoot();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<XdpProgram>("attach_xdp_reflect");
        var input = Frame(64);
        var r = prog.TestRun(input);

        Assert.Equal(XdpAction.Tx, r.XdpAction);
        Assert.Equal(3u, r.ReturnValue);
        Assert.Equal(64, r.Packet.Length);
        Assert.Equal(input[6..12], r.Packet[0..6]);   // destination = old source
        Assert.Equal(input[0..6], r.Packet[6..12]);   // source = old destination
        Assert.Equal(0x5a, r.Packet[14]);
        Assert.Equal(input[15..], r.Packet[15..]);
        Assert.Equal(1, r.Repeat);
    }

    [Fact]
    public void Repeat_runs_the_program_that_many_times_and_reports_the_average_duration()
    {
        Kernel.RequireRoot();
        using var stats = BpfStats.Enable();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<XdpProgram>("attach_xdp_reflect");
        var r = prog.TestRun(Frame(64), repeat: 1000);
        Assert.Equal(1000, r.Repeat);
        Assert.Equal(XdpAction.Tx, r.XdpAction);
        Assert.Equal(1000UL, prog.RunStatistics.RunCount);
        // This program averages a few tens of nanoseconds per run: the kernel's figure must come through
        // whole, not rounded down to TimeSpan ticks (which would read 0).
        Assert.True(r.DurationNanoseconds > 0, "the kernel measured 0 ns per run");
        Assert.Equal(r.DurationNanoseconds * 1000UL, r.TotalNanoseconds);
    }

    [Fact]
    public void A_hundred_runs_cost_more_in_total_than_one()
    {
        Kernel.RequireRoot();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<XdpProgram>("attach_xdp_reflect");
        prog.TestRun(Frame(64), repeat: 100); // warm up: the first run pays for cold caches
        var hundred = prog.TestRun(Frame(64), repeat: 100);
        var one = prog.TestRun(Frame(64), repeat: 1);
        // A wide, relative bound (the average is per run, so a reading that ignored repeat, or lost
        // precision, breaks it): the total of 100 runs exceeds the time of a single run.
        Assert.True(hundred.TotalNanoseconds > one.TotalNanoseconds,
            $"100 runs took {hundred.TotalNanoseconds} ns in total, one run {one.TotalNanoseconds} ns");
    }

    [Fact]
    public void A_frame_too_short_for_the_program_is_dropped()
    {
        Kernel.RequireRoot();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<XdpProgram>("attach_xdp_reflect");
        Assert.Equal(XdpAction.Drop, prog.TestRun(Frame(14)).XdpAction);
    }

    [Fact]
    public void A_frame_shorter_than_an_ethernet_header_is_explained()
    {
        Kernel.RequireRoot();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<XdpProgram>("attach_xdp_reflect");
        var e = Assert.Throws<BpfAttachException>(() => prog.TestRun(new byte[8]));
        Assert.Contains("shorter than an Ethernet header", e.Message);
    }

    [Fact]
    public void An_xdp_context_goes_in_and_comes_back()
    {
        Kernel.RequireRoot();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<XdpProgram>("attach_xdp_reflect");
        // struct xdp_md { data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex }: offsets
        // into the packet, which the kernel requires to describe it exactly.
        var ctx = new byte[24];
        BitConverter.TryWriteBytes(ctx.AsSpan(4), 64u);
        var r = prog.TestRun(Frame(64), context: ctx);
        Assert.Equal(XdpAction.Tx, r.XdpAction);
        Assert.Equal(24, r.Context.Length);
        Assert.Equal(64u, BitConverter.ToUInt32(r.Context, 4));
    }

    [Fact]
    public void Tc_program_returns_its_verdict()
    {
        Kernel.RequireRoot();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<TcProgram>("attach_tc_pass");
        var r = prog.TestRun(Frame(60));
        Assert.Equal(unchecked((uint)-1), r.ReturnValue); // TCX_NEXT
        Assert.Equal(Frame(60), r.Packet);
    }

    [Fact]
    public void Socket_filter_returns_the_length_to_keep()
    {
        Kernel.RequireRoot();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<SocketFilterProgram>("attach_socket_all");
        var r = prog.TestRun(Frame(60));
        Assert.Equal(46u, r.ReturnValue); // a socket filter sees the packet after the 14-byte Ethernet header
    }

    [Fact]
    public void Kinds_without_packet_test_runs_are_refused_before_the_kernel_is_asked()
    {
        Kernel.RequireRoot();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<SockOpsProgram>("attach_sockops");
        var e = Assert.Throws<BpfAttachException>(() => prog.TestRun(Frame(60)));
        Assert.Contains("cannot be test-run on a packet", e.Message);
    }
}
