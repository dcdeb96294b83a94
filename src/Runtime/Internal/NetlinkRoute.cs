using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Ebpf.Internal;

/// <summary>
/// A minimal rtnetlink client: one request, one reply, on a NETLINK_ROUTE socket in the caller's network
/// namespace. Used only to see which XDP program an interface has, and to take off a program that was
/// attached through netlink (e.g. by <c>ip link set xdp</c>) when the caller asked to replace it.
/// </summary>
internal static class NetlinkRoute
{
    private const int AF_NETLINK = 16, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000, NETLINK_ROUTE = 0;
    private const int SOL_NETLINK = 270, NETLINK_EXT_ACK = 11;
    private const ushort NLMSG_ERROR = 2, NLM_F_REQUEST = 1, NLM_F_ACK = 4;
    private const ushort NLMSGERR_ATTR_MSG = 1;
    public const ushort RTM_NEWLINK = 16, RTM_GETLINK = 18, RTM_SETLINK = 19;
    public const ushort NLA_F_NESTED = 0x8000;
    private const int HeaderSize = 16, IfInfoSize = 16;

    /// <summary>A netlink attribute: type (flags masked off) and payload.</summary>
    public readonly record struct Attr(ushort Type, ReadOnlyMemory<byte> Payload);

    /// <summary>Builds "nlmsghdr + ifinfomsg(index) + attributes".</summary>
    public static byte[] LinkMessage(ushort type, int ifindex, ReadOnlySpan<byte> attributes)
    {
        var msg = new byte[HeaderSize + IfInfoSize + attributes.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(msg, (uint)msg.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(msg.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(msg.AsSpan(6), (ushort)(NLM_F_REQUEST | NLM_F_ACK));
        BinaryPrimitives.WriteUInt32LittleEndian(msg.AsSpan(8), 1); // sequence number
        BinaryPrimitives.WriteInt32LittleEndian(msg.AsSpan(HeaderSize + 4), ifindex);
        attributes.CopyTo(msg.AsSpan(HeaderSize + IfInfoSize));
        return msg;
    }

    /// <summary>Appends one attribute (4-byte aligned) to <paramref name="buffer"/>.</summary>
    public static void PutAttr(List<byte> buffer, ushort type, ReadOnlySpan<byte> payload)
    {
        var len = 4 + payload.Length;
        Span<byte> head = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(head, (ushort)len);
        BinaryPrimitives.WriteUInt16LittleEndian(head[2..], type);
        buffer.AddRange(head.ToArray());
        buffer.AddRange(payload.ToArray());
        while (buffer.Count % 4 != 0)
            buffer.Add(0);
    }

    /// <summary>
    /// Sends <paramref name="request"/> and returns the attributes of the RTM_NEWLINK reply (empty for a
    /// plain acknowledgement). A netlink error becomes an exception carrying the kernel's extended message.
    /// </summary>
    public static List<Attr> Transact(byte[] request, string what)
    {
        var sock = Libc.Socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (sock < 0)
            throw new IOException($"{what}: cannot open a netlink socket ({Errno.Describe(Marshal.GetLastPInvokeError())})");
        try
        {
            int one = 1;
            Libc.SetSockOpt(sock, SOL_NETLINK, NETLINK_EXT_ACK, ref one, sizeof(int)); // best effort: better error text
            if (Libc.Send(sock, request, request.Length, 0) < 0)
                throw new IOException($"{what}: netlink send failed ({Errno.Describe(Marshal.GetLastPInvokeError())})");
            var buf = new byte[65536];
            var result = new List<Attr>();
            while (true)
            {
                var n = Libc.Recv(sock, buf, buf.Length, 0);
                if (n < 0)
                    throw new IOException($"{what}: netlink receive failed ({Errno.Describe(Marshal.GetLastPInvokeError())})");
                for (var off = 0; off + HeaderSize <= n;)
                {
                    var len = (int)BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(off));
                    var type = BinaryPrimitives.ReadUInt16LittleEndian(buf.AsSpan(off + 4));
                    if (len < HeaderSize || off + len > n)
                        throw new IOException($"{what}: malformed netlink reply");
                    if (type == NLMSG_ERROR)
                    {
                        var error = -BinaryPrimitives.ReadInt32LittleEndian(buf.AsSpan(off + HeaderSize));
                        if (error == 0)
                            return result; // the acknowledgement ends the exchange
                        throw new NetlinkException(error, what, ExtAckMessage(buf.AsSpan(off, len)));
                    }
                    if (type == RTM_NEWLINK)
                        result.AddRange(ParseAttrs(buf.AsMemory(off + HeaderSize + IfInfoSize, len - HeaderSize - IfInfoSize)));
                    off += (len + 3) & ~3;
                }
            }
        }
        finally
        {
            Libc.Close(sock);
        }
    }

    /// <summary>Splits a run of attributes.</summary>
    public static IEnumerable<Attr> ParseAttrs(ReadOnlyMemory<byte> data)
    {
        var list = new List<Attr>();
        for (var off = 0; off + 4 <= data.Length;)
        {
            var len = BinaryPrimitives.ReadUInt16LittleEndian(data.Span[off..]);
            var type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(data.Span[(off + 2)..]) & 0x3fff);
            if (len < 4 || off + len > data.Length)
                break;
            list.Add(new Attr(type, data.Slice(off + 4, len - 4)));
            off += (len + 3) & ~3;
        }
        return list;
    }

    // An error message carries the original request after the errno (capped when NLM_F_CAPPED), then TLVs.
    private static string? ExtAckMessage(ReadOnlySpan<byte> msg)
    {
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(msg[6..]);
        const ushort NLM_F_CAPPED = 0x100, NLM_F_ACK_TLVS = 0x200;
        if ((flags & NLM_F_ACK_TLVS) == 0)
            return null;
        var origLen = (int)BinaryPrimitives.ReadUInt32LittleEndian(msg[(HeaderSize + 4)..]);
        var tlvStart = HeaderSize + 4 + ((flags & NLM_F_CAPPED) != 0 ? HeaderSize : (origLen + 3) & ~3);
        if (tlvStart > msg.Length)
            return null;
        foreach (var a in ParseAttrs(msg[tlvStart..].ToArray()))
            if (a.Type == NLMSGERR_ATTR_MSG)
                return Encoding.UTF8.GetString(a.Payload.Span).TrimEnd('\0');
        return null;
    }
}

/// <summary>A netlink request the kernel refused; <see cref="ExtendedMessage"/> is its own explanation when it gave one.</summary>
internal sealed class NetlinkException(int errno, string what, string? extendedMessage)
    : IOException($"{what}: {Internal.Errno.Describe(errno)}" + (extendedMessage is null ? "" : $" ({extendedMessage})"))
{
    public int Errno { get; } = errno;
    public string? ExtendedMessage { get; } = extendedMessage;
}
