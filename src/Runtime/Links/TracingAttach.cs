using Ebpf.Internal;
using Ebpf.Object;
using Ebpf.Programs;

namespace Ebpf.Links;

/// <summary>Raw tracepoints, BTF tracepoints (tp_btf) and fentry/fexit/fmod_ret: links the kernel makes from the program alone.</summary>
internal static class TracingAttach
{
    /// <summary>A raw tracepoint by name with BPF_RAW_TRACEPOINT_OPEN, whose fd is a link.</summary>
    public static BpfLink RawTracepoint(BpfProgram program, string name)
    {
        var link = LinkSyscalls.RawTracepointOpen(program.Handle, name, out var errno);
        if (link is null)
            throw new BpfAttachException(
                $"cannot attach {program.Describe()} to raw tracepoint '{name}': {Errno.Describe(errno)}"
                + (errno == Errno.ENOENT ? $"; this kernel has no tracepoint named '{name}' (raw tracepoints are named without the category)" : "")
                + (errno is Errno.EPERM or Errno.EACCES ? "; raw tracepoints need CAP_BPF and CAP_PERFMON (run as root)" : ""), errno);
        return new BpfLink(program, $"raw_tp {name} '{program.Name}'", link);
    }

    /// <summary>
    /// tp_btf, fentry, fexit, fmod_ret: BPF_LINK_CREATE with the program's attach type (its target was fixed at
    /// load by attach_btf_id); kernels without tracing links get BPF_RAW_TRACEPOINT_OPEN without a name.
    /// </summary>
    public static BpfLink Tracing(BpfProgram program)
    {
        var type = program.Spec.ExpectedAttachType;
        var target = program.Spec.AttachTarget ?? "?";
        var what = type switch
        {
            AttachType.TraceRawTp => $"tp_btf {target}",
            AttachType.TraceFentry => $"fentry {target}",
            AttachType.TraceFexit => $"fexit {target}",
            AttachType.ModifyReturn => $"fmod_ret {target}",
            _ => throw new BpfAttachException(
                $"{program.Describe()} is a tracing program of attach type {type}, which has no Attach(); "
                + "only tp_btf, fentry, fexit and fmod_ret programs attach this way"),
        };
        var attr = new LinkCreateAttr { ProgFd = program.Handle.Value, AttachType = (uint)type };
        var link = LinkSyscalls.Create(ref attr, out var errno);
        if (link is null && errno == Errno.EINVAL)
            link = LinkSyscalls.RawTracepointOpen(program.Handle, null, out errno);
        GC.KeepAlive(program);
        if (link is null)
            throw new BpfAttachException(Explain(program, type, what, errno), errno);
        return new BpfLink(program, $"{what} '{program.Name}'", link);
    }

    private static string Explain(BpfProgram program, AttachType type, string what, int errno)
    {
        var head = $"cannot attach {program.Describe()} as {what}: {Errno.Describe(errno)}";
        var isFunctionTrace = type is AttachType.TraceFentry or AttachType.TraceFexit or AttachType.ModifyReturn;
        if (errno is Errno.EPERM or Errno.EACCES)
            return head + (isFunctionTrace && Errno.IsRoot ? "; " + ProgramLoadHints.FunctionTracingLockedDown : "; tracing needs CAP_BPF and CAP_PERFMON (run as root)");
        if (errno is Errno.ENOTSUPP or Errno.EOPNOTSUPP && isFunctionTrace)
            return head + "; this kernel cannot attach BPF trampolines (fentry/fexit need CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS); "
                        + "use a tracepoint or tp_btf instead";
        return head;
    }
}
