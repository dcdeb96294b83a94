namespace Ebpf.Testing.Tests;

/// <summary>The Internet checksum against published vectors.</summary>
public sealed class ChecksumTests
{
    [Fact]
    public void Rfc1071_example_sums_to_ddf2()
    {
        // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2; the checksum is its complement.
        Assert.Equal(0x220d, InternetChecksum.Compute([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]));
    }

    [Fact]
    public void A_textbook_ipv4_header_has_checksum_b861()
    {
        // 192.168.0.1 -> 192.168.0.199, UDP, total length 115, DF, TTL 64: the header checksum is 0xb861.
        byte[] header = Convert.FromHexString("450000730000400040110000c0a80001c0a800c7");
        Assert.Equal(0xb861, InternetChecksum.Compute(header));
        var built = PacketBuilder.Ethernet().Ipv4("192.168.0.1", "192.168.0.199", id: 0, dontFragment: true).Udp(1, 2)
                                 .Payload(new byte[115 - 28]).Build();
        Assert.Equal("b861", Convert.ToHexString(built.AsSpan(14 + 10, 2)).ToLowerInvariant());
    }

    [Fact]
    public void An_odd_length_pads_with_a_zero_byte()
    {
        Assert.Equal(InternetChecksum.Compute([0xab, 0xcd, 0xef, 0x00]), InternetChecksum.Compute([0xab, 0xcd, 0xef]));
    }
}
