using System.Runtime.InteropServices;
using Ebpf.Internal;

namespace Ebpf;

/// <summary>
/// Turns on the kernel's per-program run statistics (run count, run time; see <see cref="BpfProgram.RunStatistics"/>)
/// for as long as the returned handle is open, with BPF_ENABLE_STATS. Unlike the sysctl
/// kernel.bpf_stats_enabled it cannot be left on by a crashed process. Costs a little on every program run.
/// </summary>
public static class BpfStats
{
    [StructLayout(LayoutKind.Sequential)]
    private struct EnableStatsAttr
    {
        public uint Type; // BPF_STATS_RUN_TIME = 0
    }

    public static IDisposable Enable()
    {
        var attr = new EnableStatsAttr();
        var fd = BpfSyscall.Call(BpfCommand.EnableStats, ref attr, out var errno);
        if (fd < 0)
            throw new BpfAttachException(
                $"cannot enable BPF run statistics (BPF_ENABLE_STATS): {Links.Errno.Describe(errno)}"
                + (errno == Links.Errno.EPERM ? "; it needs CAP_SYS_ADMIN" : ""), errno);
        return new BpfFd(fd);
    }
}
