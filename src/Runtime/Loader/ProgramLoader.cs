using System.Text;
using System.Text.RegularExpressions;
using Ebpf.Errors;
using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;
using Ebpf.Programs;

namespace Ebpf.Loader;

/// <summary>What BPF_PROG_LOAD needs beyond the spec: the relocated instructions and the resolved attach target.</summary>
/// <paramref name="AttachBtfObj"/>: the kernel module's BTF object when the attach target is in a module, else null (vmlinux).
internal readonly record struct ProgramLoadInput(byte[] Instructions, BpfFd? Btf, uint AttachBtfId, string ObjectName,
                                                 IReadOnlyList<CoreRelocationFailure> CoreFailures, BpfFd? AttachBtfObj = null);

/// <summary>
/// BPF_PROG_LOAD of one relocated program with its license, types, flags, name, attach target and, when the
/// object's BTF is loaded, its func_info and line_info (so the verifier's log quotes the C source). A refusal
/// becomes a <see cref="BpfVerifierException"/> with the whole log.
/// </summary>
internal static unsafe class ProgramLoader
{
    private const int FuncInfoRecordSize = 8, LineInfoRecordSize = 16;

    public static BpfFd Load(ProgramSpec spec, ProgramLoadInput input, BpfObjectOptions options, out string log)
    {
        var license = Encoding.ASCII.GetBytes(spec.License + "\0");
        var withBtf = input.Btf is not null;
        var funcInfo = withBtf ? FuncInfos(spec) : Array.Empty<byte>();
        var lineInfo = withBtf ? LineInfos(spec) : Array.Empty<byte>();
        var flags = (spec.Sleepable ? ProgLoadAttr.FlagSleepable : 0) | (spec.XdpFrags ? ProgLoadAttr.FlagXdpHasFrags : 0);
        BpfFd? fd;
        int errno;
        fixed (byte* insns = input.Instructions, lic = license, fi = funcInfo, li = lineInfo)
        {
            var template = new ProgLoadAttr
            {
                ProgType = (uint)spec.Type,
                InsnCnt = (uint)(input.Instructions.Length / 8),
                Insns = (ulong)insns,
                License = (ulong)lic,
                // Only kprobes of old kernels check kern_version; libbpf fills in the running kernel's for them.
                KernVersion = spec.KernelVersion != 0 || spec.Type != ProgramType.Kprobe ? spec.KernelVersion : KernelVersion.Code,
                ProgFlags = flags,
                ExpectedAttachType = (uint)spec.ExpectedAttachType,
                AttachBtfId = input.AttachBtfId,
                AttachBtfObjFd = input.AttachBtfObj?.Value ?? 0,
            };
            template = WithName(template, spec.Name);
            if (withBtf)
            {
                template.ProgBtfFd = input.Btf!.Value;
                if (funcInfo.Length > 0)
                {
                    template.FuncInfoRecSize = FuncInfoRecordSize;
                    template.FuncInfo = (ulong)fi;
                    template.FuncInfoCnt = (uint)spec.FuncInfos.Count;
                }
                if (lineInfo.Length > 0)
                {
                    template.LineInfoRecSize = LineInfoRecordSize;
                    template.LineInfo = (ulong)li;
                    template.LineInfoCnt = (uint)spec.LineInfos.Count;
                }
            }
            fd = VerifierLog.Run((byte* buf, uint size, uint level, out int e, out uint trueSize) =>
            {
                var attr = template;
                attr.LogBuf = (ulong)buf;
                attr.LogSize = size;
                attr.LogLevel = level;
                var r = Sys.ProgLoad(ref attr, out e);
                trueSize = attr.LogTrueSize;
                return r;
            }, options.VerifierLogLevel, options.VerifierLogSize, out errno, out log);
        }
        GC.KeepAlive(input.Btf);
        GC.KeepAlive(input.AttachBtfObj);
        if (fd is not null)
            return fd;
        throw Refused(spec, errno, log, input.CoreFailures);
    }

    private static BpfException Refused(ProgramSpec spec, int errno, string log, IReadOnlyList<CoreRelocationFailure> coreFailures)
    {
        var what = $"program '{spec.Name}' (section {spec.SectionName}, {spec.Type})";
        var hint = ProgramLoadHints.Explain(spec, errno) ?? LogHint(spec, log);
        if (log.Trim().Length == 0 && errno is Errno.EPERM or Errno.EACCES)
            return new BpfException(
                $"cannot load {what} (BPF_PROG_LOAD): {Errno.Describe(errno)}; "
                + (hint ?? Privileges.Explain(BpfErrors.ProgramCapabilities(spec.Type))),
                errno, "BPF_PROG_LOAD", spec.Name);
        var message = new StringBuilder()
            .Append("the kernel refused ").Append(what).Append(" (BPF_PROG_LOAD): ").Append(Errno.Describe(errno));
        if (hint is not null)
            message.Append("; ").Append(hint);
        foreach (var failure in coreFailures)
            message.Append("\n  unsatisfied CO-RE relocation: ").Append(failure);
        if (log.Length > 0)
            message.Append(". The verifier's last words:\n").Append(VerifierLog.Tail(log));
        else
            message.Append(" (the kernel wrote no verifier log)");
        return new BpfVerifierException(message.ToString(), errno, spec.Name, log);
    }

    /// <summary>Causes the verifier states in words that do not say what to do about them.</summary>
    private static string? LogHint(ProgramSpec spec, string log)
    {
        if (MissingWeakKfunc(spec, log) is { } kfunc)
            return $"the program calls the kfunc '{kfunc}', which this kernel does not have (it is declared __weak), on a path the verifier "
                   + $"cannot rule out: call it only under if (bpf_ksym_exists({kfunc}))";
        if (log.Contains("is allowed only to CAP_PERFMON", StringComparison.Ordinal))
            return "the program reads kernel memory through a BTF pointer (a struct field the verifier types), which the kernel allows only "
                   + Privileges.Explain("CAP_PERFMON").Replace("this needs ", "with ", StringComparison.Ordinal);
        if (log.Contains("failed to find the address for kernel symbol", StringComparison.Ordinal))
            return "the program reads a kernel variable (extern ... __ksym) whose address this kernel does not publish: "
                   + "variables are in /proc/kallsyms only with CONFIG_KALLSYMS_ALL=y";
        if (log.Contains("invalid func unknown#195896080", StringComparison.Ordinal))
            return "a CO-RE relocation could not be satisfied against this kernel's BTF and the code using it is reachable: "
                   + "guard it with bpf_core_field_exists()/bpf_core_type_exists(), or fix the type definition";
        return null;
    }

    /// <summary>The weak kfunc whose call <see cref="ReferenceResolver"/> replaced and the verifier reached, if that is the refusal.</summary>
    private static string? MissingWeakKfunc(ProgramSpec spec, string log)
    {
        var m = Regex.Match(log, @"invalid func unknown#(\d+)");
        if (!m.Success || !long.TryParse(m.Groups[1].ValueSpan, out var helper))
            return null;
        var index = helper - ReferenceResolver.PoisonedKfuncCallBase;
        return index >= 0 && index < spec.References.Count && spec.References[(int)index].Kind == ReferenceKind.Kfunc
            ? spec.References[(int)index].Symbol
            : null;
    }

    private static byte[] FuncInfos(ProgramSpec spec)
    {
        var bytes = new byte[spec.FuncInfos.Count * FuncInfoRecordSize];
        for (var i = 0; i < spec.FuncInfos.Count; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 8), spec.FuncInfos[i].InstructionOffset);
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 8 + 4), spec.FuncInfos[i].TypeId);
        }
        return bytes;
    }

    private static byte[] LineInfos(ProgramSpec spec)
    {
        var bytes = new byte[spec.LineInfos.Count * LineInfoRecordSize];
        for (var i = 0; i < spec.LineInfos.Count; i++)
        {
            var l = spec.LineInfos[i];
            var at = bytes.AsSpan(i * 16);
            BitConverter.TryWriteBytes(at, l.InstructionOffset);
            BitConverter.TryWriteBytes(at[4..], l.FileNameOffset);
            BitConverter.TryWriteBytes(at[8..], l.LineOffset);
            BitConverter.TryWriteBytes(at[12..], l.LineCol);
        }
        return bytes;
    }

    private static ProgLoadAttr WithName(ProgLoadAttr attr, string name)
    {
        ObjName.Write(attr.ProgName, name);
        return attr;
    }
}
