using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Ebpf.Internal;
using Ebpf.Object;
using Ebpf.Programs;

namespace Ebpf.Links;

/// <summary>
/// kprobe.multi / kretprobe.multi: one BPF_LINK_CREATE with attach type BPF_TRACE_KPROBE_MULTI and the list of
/// kernel function names (Linux 5.18+, fprobe based). A glob in the section (kprobe.multi/tcp_*) is expanded
/// against the kernel's text symbols in /proc/kallsyms.
/// </summary>
internal static class KprobeMultiAttach
{
    private const uint BPF_F_KPROBE_MULTI_RETURN = 1;

    public static BpfLink Attach(BpfProgram program, IReadOnlyList<string> functions, bool retprobe)
    {
        var what = $"{(retprobe ? "kretprobe.multi" : "kprobe.multi")} on {functions.Count} function(s)";
        if (functions.Count == 0)
            throw new BpfAttachException($"cannot attach {program.Describe()}: no kernel function to probe (the list or the pattern matched nothing; see /proc/kallsyms)");
        var names = new GCHandle[functions.Count];
        var pointers = new ulong[functions.Count];
        var table = GCHandle.Alloc(pointers, GCHandleType.Pinned);
        try
        {
            for (var i = 0; i < functions.Count; i++)
            {
                names[i] = GCHandle.Alloc(System.Text.Encoding.UTF8.GetBytes(functions[i] + "\0"), GCHandleType.Pinned);
                pointers[i] = (ulong)names[i].AddrOfPinnedObject();
            }
            var attr = new LinkCreateAttr
            {
                ProgFd = program.Handle.Value,
                AttachType = (uint)AttachType.TraceKprobeMulti,
                // kprobe_multi { u32 flags; u32 cnt; u64 syms; u64 addrs; u64 cookies; }: addrs and cookies stay 0.
                Union0 = (retprobe ? BPF_F_KPROBE_MULTI_RETURN : 0) | ((ulong)(uint)functions.Count << 32),
                Union1 = (ulong)table.AddrOfPinnedObject(),
            };
            var link = LinkSyscalls.Create(ref attr, out var errno);
            GC.KeepAlive(program);
            if (link is null)
                throw Error(program, what, functions, errno);
            return new BpfLink(program, $"{what} '{program.Name}'", link);
        }
        finally
        {
            foreach (var h in names)
                if (h.IsAllocated)
                    h.Free();
            table.Free();
        }
    }

    /// <summary>The functions a section target names: a comma-free single name, or a glob over /proc/kallsyms text symbols.</summary>
    public static IReadOnlyList<string> Resolve(string pattern)
    {
        if (pattern.IndexOfAny(['*', '?']) < 0)
            return [pattern];
        var regex = new Regex("^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.CultureInvariant);
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines("/proc/kallsyms"))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // Text symbols of the core kernel only ('t'/'T', no "[module]" column); modules' need their own lookup.
            if (parts.Length == 3 && parts[1] is "t" or "T" && regex.IsMatch(parts[2]))
                found.Add(parts[2]);
        }
        return found.ToArray();
    }

    private static BpfAttachException Error(BpfProgram program, string what, IReadOnlyList<string> functions, int errno)
    {
        var noKprobes = PerfEventOpen.PmuType("kprobe") is null;
        if (noKprobes && errno is Errno.EOPNOTSUPP or Errno.ENOTSUPP or Errno.EINVAL or Errno.ENOENT)
            return new BpfAttachException(
                $"cannot attach {program.Describe()} as {what}: this kernel has no kprobes (CONFIG_KPROBES is off; "
                + "/sys/bus/event_source/devices/kprobe does not exist, and kprobe.multi needs CONFIG_FPROBE too; the kernel answered "
                + $"{Errno.Describe(errno)}). Use a tracepoint (SEC(\"tracepoint/<category>/<name>\")) or a BTF tracepoint (SEC(\"tp_btf/<name>\")) instead",
                errno);
        return new BpfAttachException(
            $"cannot attach {program.Describe()} as {what}: {Errno.Describe(errno)}" + errno switch
            {
                Errno.ENOENT or Errno.ESRCH => $"; one of the functions ({string.Join(", ", functions.Take(5))}{(functions.Count > 5 ? ", ..." : "")}) is not a probeable kernel function (see /sys/kernel/tracing/available_filter_functions)",
                Errno.EOPNOTSUPP or Errno.ENOTSUPP => "; the kernel lacks kprobe-multi links (CONFIG_FPROBE, Linux 5.18+): attach single kprobes instead",
                Errno.EINVAL => "; the program must be loaded from a kprobe.multi/kretprobe.multi section (expected attach type BPF_TRACE_KPROBE_MULTI)",
                _ => "",
            }, errno);
    }
}
