using System.Buffers.Binary;

namespace Ebpf.Testing;

/// <summary>
/// One TCP option (RFC 9293 and the RFCs of each kind): a kind byte, and for all but End-of-list and No-operation a
/// length byte and data. <see cref="PacketBuilder.Tcp"/> lays them out in order and pads the header to a multiple
/// of 4 bytes with End-of-list.
/// </summary>
public sealed class TcpOption
{
    private TcpOption(byte[] bytes) => Bytes = bytes;

    /// <summary>The option as it appears in the header.</summary>
    public byte[] Bytes { get; }

    /// <summary>End of option list (kind 0).</summary>
    public static TcpOption EndOfList { get; } = new([0]);

    /// <summary>No operation (kind 1), used for alignment.</summary>
    public static TcpOption Nop { get; } = new([1]);

    /// <summary>Maximum segment size (kind 2), SYN only.</summary>
    public static TcpOption Mss(ushort mss) => Raw(2, [(byte)(mss >> 8), (byte)mss]);

    /// <summary>Window scale (kind 3, RFC 7323): the shift count, SYN only.</summary>
    public static TcpOption WindowScale(byte shift) => Raw(3, [shift]);

    /// <summary>SACK permitted (kind 4, RFC 2018), SYN only.</summary>
    public static TcpOption SackPermitted { get; } = new([4, 2]);

    /// <summary>Timestamps (kind 8, RFC 7323): TSval and TSecr.</summary>
    public static TcpOption Timestamps(uint value, uint echoReply)
    {
        var data = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(data, value);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), echoReply);
        return Raw(8, data);
    }

    /// <summary>Any option: <paramref name="kind"/>, then the length (2 + data), then <paramref name="data"/>.</summary>
    public static TcpOption Raw(byte kind, ReadOnlySpan<byte> data)
    {
        if (data.Length > 38)
            throw new ArgumentOutOfRangeException(nameof(data), data.Length, "a TCP option's data is at most 38 bytes (the options area is 40)");
        return new([kind, (byte)(2 + data.Length), .. data]);
    }

    public override string ToString() => Convert.ToHexString(Bytes).ToLowerInvariant();
}
