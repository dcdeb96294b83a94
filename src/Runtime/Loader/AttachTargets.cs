using Ebpf.Btf;
using Ebpf.Internal;
using Ebpf.Object;

namespace Ebpf.Loader;

/// <summary>Where a program's attach target was found: its BTF type id, and the kernel module whose split BTF
/// holds it (null for vmlinux; BPF_PROG_LOAD then needs that module's BTF object as attach_btf_obj_fd).</summary>
internal readonly record struct AttachTarget(uint BtfId, string? Module)
{
    public static readonly AttachTarget None = new(0, null);
}

/// <summary>
/// attach_btf_id for programs the kernel binds to a kernel type at load: tp_btf programs to the typedef
/// btf_trace_&lt;name&gt;, fentry/fexit/fmod_ret/lsm programs to the function they trace. vmlinux is searched first,
/// then each loaded module's split BTF (as libbpf does), so tracepoints and functions of modules resolve too.
/// </summary>
internal static class AttachTargets
{
    public static AttachTarget Resolve(ProgramSpec spec, Func<BtfSpec> kernelBtf, Func<BtfSpec, IEnumerable<ModuleBtf>> moduleBtfs)
    {
        if (spec.Type is not (ProgramType.Tracing or ProgramType.Lsm) || string.IsNullOrEmpty(spec.AttachTarget))
            return AttachTarget.None;
        var vmlinux = kernelBtf();
        var (name, kind, what) = spec.ExpectedAttachType == AttachType.TraceRawTp
            ? ("btf_trace_" + spec.AttachTarget, BtfKind.Typedef, $"the tracepoint '{spec.AttachTarget}' (typedef btf_trace_{spec.AttachTarget})")
            : spec.Type == ProgramType.Lsm
                ? ("bpf_lsm_" + spec.AttachTarget, BtfKind.Func, $"the kernel function 'bpf_lsm_{spec.AttachTarget}'")
                : (spec.AttachTarget!, BtfKind.Func, $"the kernel function '{spec.AttachTarget}'");
        if (Find(vmlinux, name, kind, 1) is { } id)
            return new AttachTarget(id, null);
        // LSM hooks are all in vmlinux; for the rest, look in modules, each only among its own types
        // (FindByName of split BTF also yields the base's, already searched).
        if (spec.Type != ProgramType.Lsm)
            foreach (var module in moduleBtfs(vmlinux))
                if (Find(module.Btf, name, kind, module.Btf.FirstTypeId) is { } moduleId)
                    return new AttachTarget(moduleId, module.Module);
        throw NotFound(spec, what);
    }

    private static uint? Find(BtfSpec btf, string name, BtfKind kind, uint firstId)
    {
        foreach (var t in btf.FindByName(name))
            if (t.Id >= firstId && t.Kind == kind && (kind == BtfKind.Func ? t is BtfFunc : t is BtfRef))
                return t.Id;
        return null;
    }

    private static BpfException NotFound(ProgramSpec spec, string what) => new(
        $"program '{spec.Name}' (section {spec.SectionName}) attaches to {what}, which neither the kernel's BTF nor a loaded "
        + "module's has: check the name against /sys/kernel/btf/vmlinux (bpftool btf dump file /sys/kernel/btf/vmlinux | grep ...); "
        + "for a module's target, load the module first (modprobe) and make sure it was built with BTF (/sys/kernel/btf/<module>)",
        Errno.ENOENT, "BPF_PROG_LOAD", spec.Name);
}
