using Ebpf.Btf;
using Ebpf.Object;

namespace Ebpf.Loader;

/// <summary>
/// attach_btf_id for programs the kernel binds to a kernel type at load: tp_btf programs to the typedef
/// btf_trace_&lt;name&gt;, fentry/fexit/fmod_ret/lsm programs to the function they trace. Only vmlinux is searched.
/// </summary>
internal static class AttachTargets
{
    public static uint Resolve(ProgramSpec spec, Func<BtfSpec> kernelBtf)
    {
        if (spec.Type is not (ProgramType.Tracing or ProgramType.Lsm) || string.IsNullOrEmpty(spec.AttachTarget))
            return 0;
        var btf = kernelBtf();
        if (spec.ExpectedAttachType == AttachType.TraceRawTp)
            return Find<BtfRef>(btf, "btf_trace_" + spec.AttachTarget, BtfKind.Typedef)
                   ?? throw NotFound(spec, $"the tracepoint '{spec.AttachTarget}' (typedef btf_trace_{spec.AttachTarget})");
        var name = spec.Type == ProgramType.Lsm ? "bpf_lsm_" + spec.AttachTarget : spec.AttachTarget!;
        return Find<BtfFunc>(btf, name, BtfKind.Func) ?? throw NotFound(spec, $"the kernel function '{name}'");
    }

    private static uint? Find<T>(BtfSpec btf, string name, BtfKind kind) where T : BtfType
    {
        foreach (var t in btf.FindByName(name))
            if (t is T && t.Kind == kind)
                return t.Id;
        return null;
    }

    private static BpfException NotFound(ProgramSpec spec, string what) => new(
        $"program '{spec.Name}' (section {spec.SectionName}) attaches to {what}, which the kernel's BTF does not have: "
        + "check the name against /sys/kernel/btf/vmlinux (bpftool btf dump file /sys/kernel/btf/vmlinux | grep ...); "
        + "targets in kernel modules are not resolved by this loader yet",
        Links.Errno.ENOENT, "BPF_PROG_LOAD", spec.Name);
}
