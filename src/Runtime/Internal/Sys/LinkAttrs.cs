using System.Runtime.InteropServices;

namespace Ebpf.Internal;

/// <summary>
/// The BPF_LINK_CREATE member of <c>union bpf_attr</c>. The per-kind tail is a union in the kernel; the
/// two 64-bit words here cover the members this runtime uses (perf_event.bpf_cookie, tracing.target_btf_id
/// and cookie, tcx.relative_fd and expected_revision). Trailing padding stays zero, which the kernel requires.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct LinkCreateAttr
{
    [FieldOffset(0)] public int ProgFd;
    /// <summary>target_fd (cgroup, map, perf event) or target_ifindex (XDP, tcx).</summary>
    [FieldOffset(4)] public int Target;
    [FieldOffset(8)] public uint AttachType;
    [FieldOffset(12)] public uint Flags;
    /// <summary>target_btf_id, perf_event.bpf_cookie, tcx.relative_fd: the first word of the union.</summary>
    [FieldOffset(16)] public ulong Union0;
    /// <summary>tracing.cookie, tcx.expected_revision: the second word of the union.</summary>
    [FieldOffset(24)] public ulong Union1;
}

/// <summary>BPF_RAW_TRACEPOINT_OPEN: name (null for tp_btf, whose target is in the program), program fd, cookie.</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
internal struct RawTracepointOpenAttr
{
    [FieldOffset(0)] public ulong Name;
    [FieldOffset(8)] public int ProgFd;
    [FieldOffset(16)] public ulong Cookie;
}

/// <summary>The BPF_LINK_UPDATE member of <c>union bpf_attr</c>: the link, the program to run from now on, flags, and (with BPF_F_REPLACE) the program it must be running.</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct LinkUpdateAttr
{
    [FieldOffset(0)] public int LinkFd;
    [FieldOffset(4)] public int NewProgFd;
    [FieldOffset(8)] public uint Flags;
    [FieldOffset(12)] public int OldProgFd;
}
