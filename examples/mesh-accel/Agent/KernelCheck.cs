using Ebpf.Object;

namespace Ebpf.Examples.MeshAccel.Agent;

/// <summary>
/// What the kernel must have before anything is attached, asked through <see cref="KernelFeatures"/>; a seam so
/// tests can play a kernel without some hook (this one has them all).
/// </summary>
internal interface IKernelCheck
{
    /// <summary>Null when the hook is there, else why not.</summary>
    string? Missing(ProgramType type, AttachType attach);
}

internal sealed class RunningKernel : IKernelCheck
{
    public string? Missing(ProgramType type, AttachType attach)
    {
        var s = KernelFeatures.Supports(type, attach);
        return s.IsSupported ? null : s.Reason;
    }
}

internal static class KernelRequirements
{
    /// <summary>The hooks mesh-accel attaches, with the kernel version that brought each.</summary>
    private static readonly (ProgramType Type, AttachType Attach, string What)[] Hooks =
    [
        (ProgramType.CgroupSockAddr, AttachType.CgroupInet4Connect, "cgroup/connect4 (Linux 4.17)"),
        (ProgramType.CgroupSockAddr, AttachType.CgroupInet6Connect, "cgroup/connect6 (Linux 4.17)"),
        (ProgramType.CgroupSockopt, AttachType.CgroupGetsockopt, "cgroup/getsockopt (Linux 5.3), which answers SO_ORIGINAL_DST"),
        (ProgramType.SockOps, AttachType.CgroupSockOps, "sockops (Linux 4.13)"),
        (ProgramType.SkMsg, AttachType.SkMsgVerdict, "sk_msg (Linux 4.17)"),
    ];

    /// <summary>Throws a <see cref="ToolException"/> naming every missing hook and what to do.</summary>
    public static void Check(IKernelCheck kernel)
    {
        var missing = Hooks.Select(h => (h.What, Why: kernel.Missing(h.Type, h.Attach))).Where(m => m.Why is not null).ToArray();
        if (missing.Length > 0)
            throw new ToolException("this kernel lacks or refuses what mesh-accel needs: " + string.Join("; ", missing.Select(m => $"{m.What}: {m.Why}")) +
                                    ". Nothing was attached. Use istio-iptables (Istio's default interception) on this node, or a kernel with these hooks (5.7+ for BPF links on cgroups).");
    }
}
