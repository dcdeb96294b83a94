using Ebpf.Programs;
using Xunit.Sdk;

namespace Ebpf.Testing.Tests;

/// <summary>TestRun on kit.bpf.c's XDP rewriter: verdicts, field diffs, and the messages a failing assertion prints.</summary>
public sealed class TestRunTests
{
    private static PacketBuilder ToService() =>
        PacketBuilder.Ethernet("02:00:00:00:00:0a", "02:00:00:00:00:0b").Ipv4("10.0.0.9", "10.0.0.1").Tcp(40000, 80, TcpFlags.Syn).Payload("GET /");

    [BpfFact(ProgramTypes = [Ebpf.Object.ProgramType.Xdp])]
    public void A_rewrite_shows_as_the_fields_it_changed()
    {
        using var skel = KitSkel.OpenAndLoad();
        var outcome = TestRun.Of(skel.Programs.KitRewrite).WithFrame(ToService()).Run()
            .ShouldReturn(XdpAction.Tx)
            .ShouldChange("ipv4.dst", "10.0.0.2")
            .ShouldChange("eth.dst", "02:00:00:00:00:0a")
            .ShouldChangeOnly("eth.dst", "eth.src", "ipv4.checksum", "ipv4.dst", "tcp.checksum")
            .ShouldNotChange("tcp.dport")
            .ShouldHaveValidChecksums()
            .ShouldOutput(PacketBuilder.Ethernet("02:00:00:00:00:0b", "02:00:00:00:00:0a").Ipv4("10.0.0.9", "10.0.0.2").Tcp(40000, 80, TcpFlags.Syn).Payload("GET /"));
        Assert.Equal("ipv4.dst: 10.0.0.1 -> 10.0.0.2", outcome.Diff["ipv4.dst"]!.ToString());
    }

    [BpfFact(ProgramTypes = [Ebpf.Object.ProgramType.Xdp])]
    public void Traffic_the_program_ignores_passes_unchanged()
    {
        using var skel = KitSkel.OpenAndLoad();
        TestRun.Of(skel.Programs.KitRewrite).WithFrame(PacketBuilder.Ethernet().Ipv4("10.0.0.9", "10.0.0.1").Udp(1, 2)).Run()
            .ShouldReturn(XdpAction.Pass)
            .ShouldLeaveFrameUnchanged();
        var outcome = TestRun.Of(skel.Programs.KitRewrite).WithFrame(PacketBuilder.Ethernet().Vlan(7).Ipv4("10.0.0.9", "10.0.0.1").Tcp(1, 2)).Repeat(3).Run();
        Assert.Equal(2u, outcome.ReturnValue);
        Assert.True(outcome.Diff.IsEmpty, outcome.ToString());
    }

    [BpfFact(ProgramTypes = [Ebpf.Object.ProgramType.Xdp])]
    public void A_forgotten_checksum_fails_with_the_diff_and_the_wrong_field()
    {
        using var skel = KitSkel.Open();
        skel.Rodata.FixTcpChecksum = false;
        skel.Load();
        var outcome = TestRun.Of(skel.Programs.KitRewrite).WithFrame(ToService()).Run().ShouldReturn(XdpAction.Tx);

        var failure = Assert.Throws<FailException>(() => outcome.ShouldHaveValidChecksums());
        TestContext.Current.TestOutputHelper?.WriteLine(failure.Message); // the message docs/testing.md shows
        Assert.Contains("the output frame has wrong checksums: tcp.checksum is 0x", failure.Message);
        Assert.Contains("ipv4.dst: 10.0.0.1 -> 10.0.0.2", failure.Message);
        Assert.Contains("kit_rewrite: Tx (3)", failure.Message);

        failure = Assert.Throws<FailException>(() => outcome.ShouldChangeOnly("eth.dst", "eth.src", "ipv4.checksum", "ipv4.dst", "tcp.checksum"));
        Assert.Contains("unchanged: tcp.checksum", failure.Message);

        failure = Assert.Throws<FailException>(() => outcome.ShouldReturn(XdpAction.Pass));
        Assert.Contains("expected XDP verdict Pass, got Tx (3)", failure.Message);

        var expected = PacketBuilder.Ethernet("02:00:00:00:00:0b", "02:00:00:00:00:0a").Ipv4("10.0.0.9", "10.0.0.2").Tcp(40000, 80, TcpFlags.Syn).Payload("GET /");
        failure = Assert.Throws<FailException>(() => outcome.ShouldOutput(expected));
        Assert.Matches(@"tcp\.checksum: 0x[0-9a-f]{4} -> 0x[0-9a-f]{4}", failure.Message);
    }
}
