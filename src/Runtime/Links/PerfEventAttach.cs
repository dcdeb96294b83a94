using System.Runtime.InteropServices;
using Ebpf.Internal;
using Ebpf.Object;
using Ebpf.Programs;

namespace Ebpf.Links;

/// <summary>
/// Tracepoints, uprobes and kprobes are perf events: perf_event_open, then a BPF_LINK_CREATE with attach type
/// BPF_PERF_EVENT and the event's fd as target (Linux 5.15+). The link holds the event; both descriptors are
/// closed on dispose, and the kernel drops the event with the process.
/// </summary>
internal static class PerfEventAttach
{
    public static BpfLink Tracepoint(BpfProgram program, string category, string name)
    {
        var tracefs = TraceFsPath()
            ?? throw new BpfAttachException(
                $"cannot attach {program.Describe()} to tracepoint {category}:{name}: tracefs is not mounted, so the tracepoint's id "
                + "cannot be read. Mount it: mount -t tracefs tracefs /sys/kernel/tracing");
        var idFile = Path.Combine(tracefs, "events", category, name, "id");
        if (!File.Exists(idFile))
            throw new BpfAttachException(
                $"cannot attach {program.Describe()}: this kernel has no tracepoint {category}:{name} ({idFile} does not exist); "
                + $"see {Path.Combine(tracefs, "available_events")} for the tracepoints it has", Errno.ENOENT);
        var id = ulong.Parse(File.ReadAllText(idFile).Trim());
        var attr = new PerfEventAttr { Type = PerfEventOpen.PerfTypeTracepoint, Config = id, SamplePeriod = 1 };
        var perf = PerfEventOpen.Open(ref attr, pid: -1, cpu: 0, out var errno)
            ?? throw new BpfAttachException(
                $"cannot open tracepoint {category}:{name} for {program.Describe()} (perf_event_open): {Errno.Describe(errno)}"
                + (errno is Errno.EACCES or Errno.EPERM ? "; tracing needs CAP_PERFMON (run as root)" : ""), errno);
        return Link(program, perf, $"tracepoint {category}:{name} '{program.Name}'");
    }

    public static BpfLink Uprobe(BpfProgram program, string binary, string symbol, int pid, bool retprobe)
    {
        var what = $"{(retprobe ? "uretprobe" : "uprobe")} {binary}:{symbol}";
        var pmu = PerfEventOpen.PmuType("uprobe")
            ?? throw new BpfAttachException(
                $"cannot attach {program.Describe()} as {what}: this kernel has no uprobes (CONFIG_UPROBE_EVENTS is off; "
                + "/sys/bus/event_source/devices/uprobe does not exist)");
        var path = ElfSymbols.ResolveBinary(binary);
        var offset = ElfSymbols.FileOffset(path, symbol);
        var pathBytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        var handle = GCHandle.Alloc(pathBytes, GCHandleType.Pinned);
        try
        {
            var attr = new PerfEventAttr
            {
                Type = pmu,
                Config = retprobe ? 1UL << PerfEventOpen.RetprobeBit("uprobe") : 0,
                Config1 = (ulong)handle.AddrOfPinnedObject(),
                Config2 = offset,
                SamplePeriod = 1,
            };
            // Every process: pid -1 on CPU 0 (a system-wide event; the program still runs on every CPU).
            var perf = PerfEventOpen.Open(ref attr, pid < 0 ? -1 : pid, pid < 0 ? 0 : -1, out var errno)
                ?? throw new BpfAttachException(
                    $"cannot create {what} (offset 0x{offset:x} in {path}) for {program.Describe()}: {Errno.Describe(errno)}"
                    + (errno == Errno.ESRCH ? $"; no process {pid}" : "")
                    + (errno is Errno.EACCES or Errno.EPERM ? "; uprobes need CAP_PERFMON and CAP_SYS_ADMIN (run as root)" : ""), errno);
            return Link(program, perf, $"{what} (+0x{offset:x}) '{program.Name}'" + (pid >= 0 ? $" pid {pid}" : ""));
        }
        finally
        {
            handle.Free();
        }
    }

    public static BpfLink Kprobe(BpfProgram program, string function, bool retprobe)
    {
        var what = $"{(retprobe ? "kretprobe" : "kprobe")} {function}";
        var pmu = PerfEventOpen.PmuType("kprobe")
            ?? throw new BpfAttachException(
                $"cannot attach {program.Describe()} as {what}: this kernel has no kprobes (CONFIG_KPROBES is off; "
                + "/sys/bus/event_source/devices/kprobe does not exist). Use a tracepoint (SEC(\"tracepoint/<category>/<name>\")) "
                + "or a BTF tracepoint (SEC(\"tp_btf/<name>\")) instead");
        var nameBytes = System.Text.Encoding.UTF8.GetBytes(function + "\0");
        var handle = GCHandle.Alloc(nameBytes, GCHandleType.Pinned);
        try
        {
            var attr = new PerfEventAttr
            {
                Type = pmu,
                Config = retprobe ? 1UL << PerfEventOpen.RetprobeBit("kprobe") : 0,
                Config1 = (ulong)handle.AddrOfPinnedObject(),
                SamplePeriod = 1,
            };
            var perf = PerfEventOpen.Open(ref attr, -1, 0, out var errno)
                ?? throw new BpfAttachException(
                    $"cannot create {what} for {program.Describe()}: {Errno.Describe(errno)}"
                    + (errno is Errno.ENOENT or Errno.EINVAL ? $"; the kernel has no probeable function '{function}' (see /proc/kallsyms)" : ""), errno);
            return Link(program, perf, $"{what} '{program.Name}'");
        }
        finally
        {
            handle.Free();
        }
    }

    private static BpfLink Link(BpfProgram program, BpfFd perf, string what)
    {
        var attr = new LinkCreateAttr { ProgFd = program.Handle.Value, Target = perf.Value, AttachType = (uint)AttachType.PerfEvent };
        var link = LinkSyscalls.Create(ref attr, out var errno);
        GC.KeepAlive(program);
        if (link is null)
        {
            perf.Dispose();
            throw new BpfAttachException(
                $"cannot attach {program.Describe()} to {what}: {Errno.Describe(errno)}"
                + (errno == Errno.EINVAL ? $"; a {program.Type} program cannot be attached to this kind of event, or the kernel lacks perf links (Linux 5.15+)" : ""),
                errno);
        }
        if (!PerfEventOpen.Enable(perf, out errno))
        {
            link.Dispose();
            perf.Dispose();
            throw new BpfAttachException($"cannot enable the perf event of {what}: {Errno.Describe(errno)}", errno);
        }
        return new BpfLink(program, what, link, null, perf);
    }

    /// <summary>Where tracefs is mounted (tracefs itself, or debugfs's tracing directory), or null.</summary>
    internal static string? TraceFsPath()
    {
        var mounts = MountInfo.Read();
        if (mounts.FirstOrDefault(m => m.FileSystemType == "tracefs") is { MountPoint: { } tracefs })
            return tracefs;
        return mounts.FirstOrDefault(m => m.FileSystemType == "debugfs") is { MountPoint: { } debugfs }
               && Directory.Exists(Path.Combine(debugfs, "tracing", "events"))
            ? Path.Combine(debugfs, "tracing") : null;
    }
}
