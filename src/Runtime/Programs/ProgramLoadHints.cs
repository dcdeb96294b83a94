using Ebpf.Internal;
using Ebpf.Object;

namespace Ebpf.Programs;

/// <summary>
/// Explanations for load failures that depend on the program's kind rather than its code, for the loader
/// (BPF_PROG_LOAD) to append to its error: returns null when it has nothing specific to say.
/// </summary>
internal static class ProgramLoadHints
{
    /// <summary>Why root gets EPERM for fentry/fexit/fmod_ret and what to use instead.</summary>
    public const string FunctionTracingLockedDown =
        "function tracing (fentry/fexit/fmod_ret, BPF trampolines) is locked down on this kernel: it refuses them even for root, "
        + "as kernel lockdown (see /sys/kernel/security/lockdown) or a security module does. "
        + "Use a tracepoint (SEC(\"tracepoint/<category>/<name>\")) or a BTF tracepoint (SEC(\"tp_btf/<name>\")) instead";

    public static string? Explain(ProgramSpec spec, int errno)
    {
        var functionTrace = spec.Type == ProgramType.Tracing
            && spec.ExpectedAttachType is AttachType.TraceFentry or AttachType.TraceFexit or AttachType.ModifyReturn;
        if (functionTrace && errno is Errno.EPERM or Errno.EACCES && Errno.IsRoot)
            return FunctionTracingLockedDown;
        if (spec.Type == ProgramType.Kprobe && spec.SectionName.StartsWith("k", StringComparison.Ordinal)
            && !Directory.Exists("/sys/bus/event_source/devices/kprobe"))
            return "this kernel has no kprobes (CONFIG_KPROBES is off): use a tracepoint or tp_btf instead";
        return null;
    }
}
