using Ebpf.Internal;
using Ebpf.Object;
using Ebpf.Programs;

namespace Ebpf.Links;

/// <summary>
/// Attaches a PERF_EVENT program to sampling perf events: one perf_event_open per CPU (a sampling event counts
/// on one CPU only, unless it follows one process), each tied to the program with BPF_LINK_CREATE (BPF_PERF_EVENT).
/// One <see cref="BpfLink"/> owns all the per-CPU links and events, so disposing it stops every CPU.
/// </summary>
internal static class PerfEventSampling
{
    public static BpfLink Attach(BpfProgram program, uint type, ulong config, string what, ulong periodOrFrequency,
                                 bool frequency, int cpu, int pid)
    {
        if (periodOrFrequency == 0)
            throw new ArgumentOutOfRangeException(nameof(periodOrFrequency), "the sample period or frequency must be at least 1");
        // A process-bound event with cpu -1 follows the process across CPUs: one event is enough.
        IReadOnlyList<int> cpus = cpu >= 0 ? new[] { cpu } : pid >= 0 ? new[] { -1 } : CpuList.Online();
        var description = $"{what} every {periodOrFrequency}{(frequency ? " Hz" : " events")} "
                          + (cpu >= 0 ? $"on CPU {cpu}" : pid >= 0 ? "" : $"on {cpus.Count} CPUs")
                          + (pid >= 0 ? $" of process {pid}" : "") + $" '{program.Name}'";
        var fds = new List<BpfFd>();
        BpfFd? first = null;
        try
        {
            foreach (var c in cpus)
            {
                var attr = new PerfEventAttr
                {
                    Type = type,
                    Config = config,
                    SamplePeriod = periodOrFrequency,
                    Flags = frequency ? PerfEventAttr.FlagFreq : 0,
                };
                var perf = PerfEventOpen.Open(ref attr, pid, c, out var errno)
                    ?? throw OpenError(program, type, what, c, pid, errno);
                fds.Add(perf);
                var linkAttr = new LinkCreateAttr { ProgFd = program.Handle.Value, Target = perf.Value, AttachType = (uint)AttachType.PerfEvent };
                var link = LinkSyscalls.Create(ref linkAttr, out errno);
                GC.KeepAlive(program);
                if (link is null)
                    throw new BpfAttachException(
                        $"cannot attach {program.Describe()} to {what}: {Errno.Describe(errno)}"
                        + (errno == Errno.EINVAL ? "; only a PERF_EVENT program (section perf_event) can sample perf events, and perf links need Linux 5.15+" : ""),
                        errno);
                if (first is null)
                    first = link;
                else
                    fds.Add(link);
                if (!PerfEventOpen.Enable(perf, out errno))
                    throw new BpfAttachException($"cannot enable the perf event of {what} on CPU {c}: {Errno.Describe(errno)}", errno);
            }
            var result = new BpfLink(program, description, first, null, fds.ToArray());
            fds.Clear();
            return result;
        }
        catch
        {
            // Everything opened so far: a half-attached set of CPUs is never handed out.
            first?.Dispose();
            foreach (var fd in fds)
                fd.Dispose();
            throw;
        }
    }

    private static BpfAttachException OpenError(BpfProgram program, uint type, string what, int cpu, int pid, int errno)
    {
        var where = cpu >= 0 ? $" on CPU {cpu}" : "";
        var hint = errno switch
        {
            Errno.ENOENT or Errno.EOPNOTSUPP when type == PerfEventOpen.PerfTypeHardware && !Directory.Exists("/sys/bus/event_source/devices/cpu")
                => "; this machine has no hardware performance counters (no 'cpu' PMU in /sys/bus/event_source/devices, common on virtual machines): "
                   + "sample a software event such as PerfSoftwareEvent.CpuClock instead",
            Errno.ENOENT or Errno.EOPNOTSUPP when type == PerfEventOpen.PerfTypeHardware
                => "; the CPU's PMU does not count this hardware event",
            Errno.ESRCH => $"; no process {pid}",
            Errno.ENODEV => $"; there is no CPU {cpu}",
            Errno.EACCES or Errno.EPERM => "; sampling every process needs CAP_PERFMON (run as root) or a lower kernel.perf_event_paranoid",
            Errno.EINVAL => "; the sample frequency may exceed kernel.perf_event_max_sample_rate",
            _ => "",
        };
        return new BpfAttachException($"cannot open {what}{where} for {program.Describe()} (perf_event_open): {Errno.Describe(errno)}{hint}", errno);
    }
}
