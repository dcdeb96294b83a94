using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;

namespace Ebpf.Programs;

/// <summary>A KPROBE-type program: a kprobe/kretprobe on a kernel function or a uprobe/uretprobe on a user-space function.</summary>
public sealed class KprobeProgram : BpfProgram
{
    internal KprobeProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }

    /// <summary>The section's prefix ("kprobe", "uretprobe", "ksyscall", ...), without libbpf's '?' marker.</summary>
    private string Prefix
    {
        get
        {
            var section = SectionName.TrimStart('?');
            var slash = section.IndexOf('/');
            return slash < 0 ? section : section[..slash];
        }
    }

    private bool IsReturnProbe => Prefix is "kretprobe" or "uretprobe" or "uretprobe.s" or "kretsyscall" or "kretprobe.multi";

    /// <summary>
    /// Attaches to the target in the section: kprobe/&lt;function&gt;, kretprobe/&lt;function&gt;, ksyscall/&lt;syscall&gt;
    /// (the architecture's syscall entry function), or uprobe/&lt;binary&gt;:&lt;function&gt; (and uretprobe).
    /// On a kernel without kprobes (CONFIG_KPROBES off) a kprobe fails with an explanation and the alternatives.
    /// </summary>
    public BpfLink Attach()
    {
        var target = Spec.AttachTarget;
        switch (Prefix)
        {
            case "uprobe" or "uretprobe" or "uprobe.s" or "uretprobe.s":
                var colon = target?.LastIndexOf(':') ?? -1;
                if (target is null || colon <= 0 || colon == target.Length - 1)
                    throw new BpfAttachException($"{Describe()} does not name binary and function: use section uprobe/<binary>:<function> or AttachUprobe(binary, symbol)");
                return PerfEventAttach.Uprobe(this, target[..colon], target[(colon + 1)..], -1, IsReturnProbe);
            case "kprobe" or "kretprobe":
                if (string.IsNullOrEmpty(target))
                    throw new BpfAttachException($"{Describe()} names no kernel function: use section kprobe/<function> or AttachKprobe(function)");
                return PerfEventAttach.Kprobe(this, target, IsReturnProbe);
            case "ksyscall" or "kretsyscall":
                if (string.IsNullOrEmpty(target))
                    throw new BpfAttachException($"{Describe()} names no system call: use section ksyscall/<name>");
                return PerfEventAttach.Kprobe(this, SyscallFunction(target), IsReturnProbe);
            case "kprobe.multi" or "kretprobe.multi":
                if (string.IsNullOrEmpty(target))
                    throw new BpfAttachException($"{Describe()} names no kernel function: use section {Prefix}/<function or glob> or AttachKprobeMulti(functions)");
                return KprobeMultiAttach.Attach(this, KprobeMultiAttach.Resolve(target), IsReturnProbe);
            default:
                throw new BpfAttachException(
                    $"{Describe()}: Ebpf.Runtime cannot attach {Prefix} programs yet (supported: kprobe, kretprobe, kprobe.multi, "
                    + "kretprobe.multi, ksyscall, kretsyscall, uprobe, uretprobe); on this kernel a tracepoint or tp_btf program is the alternative");
        }
    }

    // The kernel function behind a system call, as libbpf names it for ksyscall: __x64_sys_<name> etc.
    private static string SyscallFunction(string name) => System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.Arm64 => "__arm64_sys_" + name,
        _ => "__x64_sys_" + name,
    };

    /// <summary>Attaches as a kprobe (or kretprobe, by section) on kernel function <paramref name="function"/>.</summary>
    public BpfLink AttachKprobe(string function) => PerfEventAttach.Kprobe(this, function, IsReturnProbe);

    /// <summary>
    /// Attaches a kprobe.multi (kretprobe.multi) program to every kernel function in <paramref name="functions"/>
    /// with one link (BPF_TRACE_KPROBE_MULTI, Linux 5.18+).
    /// </summary>
    public BpfLink AttachKprobeMulti(IEnumerable<string> functions) => KprobeMultiAttach.Attach(this, functions.ToArray(), IsReturnProbe);

    /// <summary>
    /// Attaches as a uprobe (uretprobe when the section says so) on function <paramref name="symbol"/> of
    /// <paramref name="binary"/> (a path, or a name looked up in PATH and the library directories), in process
    /// <paramref name="pid"/> or, with -1, in every process that runs it.
    /// </summary>
    public BpfLink AttachUprobe(string binary, string symbol, int pid = -1) => PerfEventAttach.Uprobe(this, binary, symbol, pid, IsReturnProbe);
}
