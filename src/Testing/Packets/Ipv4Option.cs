namespace Ebpf.Testing;

/// <summary>
/// One IPv4 header option (RFC 791): a type byte, and for all but End-of-list and No-operation a length byte and
/// data. <see cref="PacketBuilder.Ipv4"/> lays them out in order and pads the header to a multiple of 4 bytes with
/// End-of-list.
/// </summary>
public sealed class Ipv4Option
{
    private Ipv4Option(byte[] bytes) => Bytes = bytes;

    /// <summary>The option as it appears in the header.</summary>
    public byte[] Bytes { get; }

    /// <summary>End of option list (type 0).</summary>
    public static Ipv4Option EndOfList { get; } = new([0]);

    /// <summary>No operation (type 1), used for alignment.</summary>
    public static Ipv4Option Nop { get; } = new([1]);

    /// <summary>Router Alert (RFC 2113, type 148): routers look at the packet more closely (IGMP, RSVP).</summary>
    public static Ipv4Option RouterAlert(ushort value = 0) => Raw(148, [(byte)(value >> 8), (byte)value]);

    /// <summary>Record Route (type 7) with room for <paramref name="slots"/> addresses, none recorded yet.</summary>
    public static Ipv4Option RecordRoute(int slots = 1)
    {
        if (slots is < 1 or > 9)
            throw new ArgumentOutOfRangeException(nameof(slots), slots, "Record Route holds 1 to 9 addresses (the options area is 40 bytes)");
        var data = new byte[1 + 4 * slots];
        data[0] = 4; // pointer: the first free slot, counted from the option's type byte (1-based)
        return Raw(7, data);
    }

    /// <summary>Any option: <paramref name="type"/>, then the length (2 + data), then <paramref name="data"/>.</summary>
    public static Ipv4Option Raw(byte type, ReadOnlySpan<byte> data)
    {
        if (data.Length > 38)
            throw new ArgumentOutOfRangeException(nameof(data), data.Length, "an IPv4 option's data is at most 38 bytes (the options area is 40)");
        return new([type, (byte)(2 + data.Length), .. data]);
    }

    public override string ToString() => Convert.ToHexString(Bytes).ToLowerInvariant();
}
