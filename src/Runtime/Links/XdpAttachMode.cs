namespace Ebpf.Links;

/// <summary>Where an XDP program runs (the kernel's XDP_FLAGS_*_MODE).</summary>
public enum XdpAttachMode
{
    /// <summary>The kernel picks: the driver's native hook when it has one, generic otherwise.</summary>
    Default = 0,
    /// <summary>In the driver (XDP_FLAGS_DRV_MODE); fails on drivers without native XDP.</summary>
    Native = 4,
    /// <summary>In the generic network stack after the skb is built (XDP_FLAGS_SKB_MODE); works everywhere, slower.</summary>
    Generic = 2,
    /// <summary>On the NIC (XDP_FLAGS_HW_MODE); only devices that offer offload (e.g. Netronome) accept it.</summary>
    Offload = 8,
}
