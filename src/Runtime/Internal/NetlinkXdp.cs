using System.Buffers.Binary;

namespace Ebpf.Internal;

/// <summary>What XDP program(s) an interface has, as rtnetlink reports it (IFLA_XDP).</summary>
internal readonly record struct XdpState(uint DriverProgramId, uint GenericProgramId, uint OffloadProgramId)
{
    public bool Any => DriverProgramId != 0 || GenericProgramId != 0 || OffloadProgramId != 0;
}

/// <summary>XDP over rtnetlink: query the attached programs, take one off.</summary>
internal static class NetlinkXdp
{
    private const ushort IFLA_XDP = 43;
    private const ushort IFLA_XDP_FD = 1, IFLA_XDP_ATTACHED = 2, IFLA_XDP_FLAGS = 3, IFLA_XDP_PROG_ID = 4,
                         IFLA_XDP_DRV_PROG_ID = 5, IFLA_XDP_SKB_PROG_ID = 6, IFLA_XDP_HW_PROG_ID = 7;
    private const byte XDP_ATTACHED_DRV = 1, XDP_ATTACHED_SKB = 2, XDP_ATTACHED_HW = 3;

    /// <summary>The XDP programs on <paramref name="ifindex"/> in the caller's network namespace.</summary>
    public static XdpState Query(int ifindex)
    {
        var attrs = NetlinkRoute.Transact(NetlinkRoute.LinkMessage(NetlinkRoute.RTM_GETLINK, ifindex, default),
                                          $"reading the XDP state of interface {ifindex}");
        uint drv = 0, skb = 0, hw = 0, single = 0;
        byte attached = 0;
        foreach (var a in attrs)
        {
            if (a.Type != IFLA_XDP)
                continue;
            foreach (var x in NetlinkRoute.ParseAttrs(a.Payload))
            {
                var p = x.Payload.Span;
                switch (x.Type)
                {
                    case IFLA_XDP_ATTACHED when p.Length >= 1: attached = p[0]; break;
                    case IFLA_XDP_PROG_ID when p.Length >= 4: single = BinaryPrimitives.ReadUInt32LittleEndian(p); break;
                    case IFLA_XDP_DRV_PROG_ID when p.Length >= 4: drv = BinaryPrimitives.ReadUInt32LittleEndian(p); break;
                    case IFLA_XDP_SKB_PROG_ID when p.Length >= 4: skb = BinaryPrimitives.ReadUInt32LittleEndian(p); break;
                    case IFLA_XDP_HW_PROG_ID when p.Length >= 4: hw = BinaryPrimitives.ReadUInt32LittleEndian(p); break;
                }
            }
        }
        // With one mode in use the kernel reports only IFLA_XDP_PROG_ID plus the mode in IFLA_XDP_ATTACHED.
        switch (attached)
        {
            case XDP_ATTACHED_DRV when drv == 0: drv = single; break;
            case XDP_ATTACHED_SKB when skb == 0: skb = single; break;
            case XDP_ATTACHED_HW when hw == 0: hw = single; break;
        }
        return new XdpState(drv, skb, hw);
    }

    /// <summary>Removes the program attached in mode <paramref name="modeFlag"/> (XDP_FLAGS_*_MODE) through netlink.</summary>
    public static void Detach(int ifindex, uint modeFlag)
    {
        var nested = new List<byte>();
        Span<byte> v = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(v, -1);
        NetlinkRoute.PutAttr(nested, IFLA_XDP_FD, v);
        BinaryPrimitives.WriteUInt32LittleEndian(v, modeFlag);
        NetlinkRoute.PutAttr(nested, IFLA_XDP_FLAGS, v);
        var outer = new List<byte>();
        NetlinkRoute.PutAttr(outer, IFLA_XDP | NetlinkRoute.NLA_F_NESTED, nested.ToArray());
        NetlinkRoute.Transact(NetlinkRoute.LinkMessage(NetlinkRoute.RTM_SETLINK, ifindex, outer.ToArray()),
                              $"detaching the XDP program of interface {ifindex}");
    }
}
