using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;

namespace Ebpf;

/// <summary>A KPROBE-type program: a kprobe/kretprobe on a kernel function or a uprobe/uretprobe on a user-space function.</summary>
public sealed class KprobeProgram : BpfProgram
{
    internal KprobeProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }

    private bool IsReturnProbe => SectionName.TrimStart('?').StartsWith("kretprobe", StringComparison.Ordinal)
                                  || SectionName.TrimStart('?').StartsWith("uretprobe", StringComparison.Ordinal);

    private bool IsUprobe => SectionName.TrimStart('?').StartsWith("u", StringComparison.Ordinal);

    /// <summary>
    /// Attaches to the target in the section: kprobe/&lt;function&gt; (and kretprobe) or uprobe/&lt;binary&gt;:&lt;function&gt; (and uretprobe).
    /// On a kernel without kprobes (CONFIG_KPROBES off) a kprobe fails with an explanation and the alternatives.
    /// </summary>
    public BpfLink Attach()
    {
        var target = Spec.AttachTarget;
        if (IsUprobe)
        {
            var colon = target?.LastIndexOf(':') ?? -1;
            if (target is null || colon <= 0 || colon == target.Length - 1)
                throw new BpfAttachException($"{Describe()} does not name binary and function: use section uprobe/<binary>:<function> or AttachUprobe(binary, symbol)");
            return PerfEventAttach.Uprobe(this, target[..colon], target[(colon + 1)..], -1, IsReturnProbe);
        }
        if (string.IsNullOrEmpty(target))
            throw new BpfAttachException($"{Describe()} names no kernel function: use section kprobe/<function> or AttachKprobe(function)");
        return PerfEventAttach.Kprobe(this, target, IsReturnProbe);
    }

    /// <summary>Attaches as a kprobe (or kretprobe, by section) on kernel function <paramref name="function"/>.</summary>
    public BpfLink AttachKprobe(string function) => PerfEventAttach.Kprobe(this, function, IsReturnProbe);

    /// <summary>
    /// Attaches as a uprobe (uretprobe when the section says so) on function <paramref name="symbol"/> of
    /// <paramref name="binary"/> (a path, or a name looked up in PATH and the library directories), in process
    /// <paramref name="pid"/> or, with -1, in every process that runs it.
    /// </summary>
    public BpfLink AttachUprobe(string binary, string symbol, int pid = -1) => PerfEventAttach.Uprobe(this, binary, symbol, pid, IsReturnProbe);
}
