using Ebpf.Internal;
using Ebpf.Links;

namespace Ebpf.Programs;

/// <summary>
/// Turns on the kernel's per-program run statistics (run count, run time; see <see cref="BpfProgram.RunStatistics"/>)
/// for as long as the returned handle is open, with BPF_ENABLE_STATS. Unlike the sysctl
/// kernel.bpf_stats_enabled it cannot be left on by a crashed process. Costs a little on every program run.
/// </summary>
public static class BpfStats
{
    public static IDisposable Enable()
    {
        return Sys.EnableStats(EnableStatsAttr.RunTime, out var errno)
            ?? throw new BpfAttachException(
                $"cannot enable BPF run statistics (BPF_ENABLE_STATS): {Errno.Describe(errno)}"
                + (errno == Errno.EPERM ? "; it needs CAP_SYS_ADMIN" : ""), errno);
    }
}
