using Ebpf.Btf;
using Ebpf.TestKit;

namespace Ebpf.Object.Tests;

/// <summary>tests/bpf/obj_core.bpf.c: CO-RE relocations, externs, calls within a section and through .text.</summary>
public class ObjectCoreTests
{
    private static readonly Lazy<(string Path, ObjectSpec Spec)> core = new(() =>
    {
        var path = TestObjects.Compile("obj_core.bpf.c");
        return (path, ObjectSpec.Parse(File.ReadAllBytes(path)));
    });

    private static ObjectSpec Spec => core.Value.Spec;

    private static long Insns(string name) => (long)Oracles.Symbols(core.Value.Path).Single(s => s.Name == name).Size / 8;

    [Fact]
    public void SectionAndTextSubprogramsAreAppendedInCallOrder()
    {
        var p = Spec.FindProgram("on_switch")!;
        Assert.Equal((ProgramType.Tracing, AttachType.TraceRawTp, "sched_switch"), (p.Type, p.ExpectedAttachType, p.AttachTarget));
        // on_switch calls shared_helper (.text, by relocation) first, then same_section_helper (its own section, no relocation).
        Assert.Equal(Insns("on_switch") + Insns("shared_helper") + Insns("same_section_helper"), p.InstructionCount);
        var btf = Spec.Btf!;
        Assert.Equal(new[] { "on_switch", "shared_helper", "same_section_helper" }, p.FuncInfos.Select(f => btf[f.TypeId].Name));
        Assert.Equal(new uint[] { 0, (uint)Insns("on_switch"), (uint)(Insns("on_switch") + Insns("shared_helper")) },
                     p.FuncInfos.Select(f => f.InstructionOffset));
        // Neither helper is a program; the shared one is linked into both programs.
        Assert.Equal(new[] { "on_switch", "on_enter", "core_values", "on_ksym", "odd_one" }, Spec.Programs.Select(x => x.Name));
        var enter = Spec.FindProgram("on_enter")!;
        Assert.Equal((ProgramType.RawTracepoint, AttachType.TraceRawTp, "sys_enter"), (enter.Type, enter.AttachType, enter.AttachTarget));
        Assert.Equal(Insns("on_enter") + Insns("shared_helper") + Insns("hidden_helper"), enter.InstructionCount);
        Assert.Equal(new[] { "on_enter", "shared_helper", "hidden_helper" }, enter.FuncInfos.Select(f => btf[f.TypeId].Name));
    }

    [Fact]
    public void UnknownSectionIsListedAsUnspec()
    {
        var odd = Spec.FindProgram("odd_one")!;
        Assert.Equal(("obj_unknown_section", ProgramType.Unspec, (AttachType)0, (string?)null), (odd.SectionName, odd.Type, odd.AttachType, odd.AttachTarget));
        Assert.Equal(Insns("odd_one"), odd.InstructionCount);
        Assert.False(odd.HasAttachType);
    }

    [Fact]
    public void ExternsBecomeReferences()
    {
        var p = Spec.FindProgram("on_switch")!;
        var kfuncs = p.References.Where(r => r.Kind == ReferenceKind.Kfunc).ToList();
        Assert.Equal(new[] { "bpf_task_acquire", "bpf_task_release" }, kfuncs.Select(r => r.Symbol));
        Assert.All(kfuncs, r => Assert.Equal(0x85, p.Instructions[r.InstructionIndex * 8]));
        var externs = p.References.Where(r => r.Kind == ReferenceKind.Extern).Select(r => r.Symbol).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { "CONFIG_BPF_SYSCALL", "CONFIG_HZ", "CONFIG_OBJ_CORE_NAME", "LINUX_KERNEL_VERSION" }, externs);
        var ksym = Spec.FindProgram("on_ksym")!;
        var ksymRef = Assert.Single(ksym.References, r => r.Kind == ReferenceKind.Extern);
        Assert.Equal(("bpf_prog_active", 0u), (ksymRef.Symbol, ksymRef.Offset));
        Assert.Equal(0x18, ksym.Instructions[ksymRef.InstructionIndex * 8]);
        // .kconfig externs carry their offset in the .kconfig map value (libbpf's layout, see ExternsAreMadeLoadable).
        Assert.Contains(p.References, r => r is { Kind: ReferenceKind.Extern, Symbol: "LINUX_KERNEL_VERSION", Offset: 8 });
        var bss = p.References.Where(r => r.Kind == ReferenceKind.MapValue).ToList();
        Assert.Equal(4, bss.Count);  // on_switch's four out_* stores (hidden_total is on_enter's)
        Assert.All(bss, r => Assert.Equal(".bss", r.Symbol));
        var vars = Spec.DataSections.Single(d => d.Name == ".bss").Variables.ToDictionary(v => v.Name, v => v.Offset);
        Assert.Equal(new[] { vars["out_pid"], vars["out_ppid"], vars["out_version"], vars["out_flags"] }.Order(), bss.Select(r => r.Offset).Order());
        Assert.DoesNotContain(Spec.DataSections, d => d.Name is ".kconfig" or ".ksyms");
    }

    [Fact]
    public void HiddenGlobalsAreStaticInBtf()
    {
        var btf = Spec.Btf!;
        Assert.Equal(0u, btf.Find<BtfFunc>("hidden_helper")!.Linkage);
        Assert.Equal(1u, btf.Find<BtfFunc>("shared_helper")!.Linkage);
        var bss = Spec.DataSections.Single(d => d.Name == ".bss").Variables;
        Assert.False(bss.Single(v => v.Name == "hidden_total").IsGlobal);
        Assert.True(bss.Single(v => v.Name == "out_pid").IsGlobal);
    }

    [Fact]
    public void ExternsAreMadeLoadable()
    {
        var btf = Spec.Btf!;
        // .kconfig: by alignment (descending), then size, then name; each at a multiple of its alignment.
        var kconfig = btf.Find<BtfDataSec>(".kconfig")!;
        var layout = kconfig.Vars.Select(v => (btf[v.TypeId].Name, v.Offset, v.Size)).ToList();
        Assert.Equal(new[] { ("CONFIG_HZ", 0u, 8u), ("LINUX_KERNEL_VERSION", 8u, 4u), ("CONFIG_BPF_SYSCALL", 12u, 1u), ("CONFIG_OBJ_CORE_NAME", 13u, 8u) }, layout);
        Assert.Equal(21u, kconfig.Size);
        Assert.All(kconfig.Vars, v => Assert.Equal(1u, ((BtfVar)btf[v.TypeId]).Linkage));
        // .ksyms: 4-byte slots; kfuncs turn global and point at a dummy int variable.
        var ksyms = btf.Find<BtfDataSec>(".ksyms")!;
        Assert.Equal((uint)ksyms.Vars.Count * 4, ksyms.Size);
        Assert.Equal(Enumerable.Range(0, ksyms.Vars.Count).Select(i => (uint)i * 4), ksyms.Vars.Select(v => v.Offset));
        var dummy = Assert.IsType<BtfVar>(btf[(uint)btf.Count - 1]);
        Assert.Equal(("dummy_ksym", 1u), (dummy.Name, dummy.Linkage));
        Assert.Equal(1u, btf.Find<BtfFunc>("bpf_task_acquire")!.Linkage);
        Assert.Equal(1u, btf.Find<BtfVar>("bpf_prog_active")!.Linkage);
        Assert.Equal(BtfKind.Int, btf[btf.Find<BtfVar>("bpf_prog_active")!.TypeId].Kind);
    }

    [Fact]
    public void CoreRelocationsCarryKindTypeAndAccessString()
    {
        var p = Spec.FindProgram("on_switch")!;
        var btf = Spec.Btf!;
        var relos = p.CoreRelocations;
        Assert.NotEmpty(relos);
        Assert.All(relos, r => Assert.InRange((int)r.InstructionOffset, 0, (int)Insns("on_switch") - 1));
        var task = btf.Find<BtfComposite>("task_struct")!;
        // BPF_CORE_READ(t, pid): member 0 of task_struct; real_parent is member 2, tgid member 1.
        Assert.Contains(relos, r => r.Kind == CoreRelocationKind.FieldByteOffset && r.TypeId == task.Id && r.AccessString == "0:0");
        Assert.Contains(relos, r => r.Kind == CoreRelocationKind.FieldByteOffset && r.TypeId == task.Id && r.AccessString == "0:2");
        Assert.Contains(relos, r => r.Kind == CoreRelocationKind.FieldByteOffset && r.AccessString == "0:1");
        Assert.Contains(relos, r => r.Kind == CoreRelocationKind.FieldExists && r.AccessString == "0:1");
        Assert.Contains(relos, r => r.Kind == CoreRelocationKind.TypeExists && r.AccessString == "0");
        var state = btf.Find<BtfEnum>("obj_core_state")!;
        Assert.Contains(relos, r => r.Kind == CoreRelocationKind.EnumValue && r.TypeId == state.Id && r.AccessString == "1");
        Assert.Contains(relos, r => r.Kind == CoreRelocationKind.TypeExists && r.TypeId == state.Id);
        var mapType = btf.Find<BtfEnum>("bpf_map_type")!;  // BPF_MAP_TYPE_ARRAY is its enumerator 2
        Assert.Contains(relos, r => r.Kind == CoreRelocationKind.EnumValue && r.TypeId == mapType.Id && r.AccessString == "2");
        // The first relocation is on the very first instruction: "r2 = 0" becomes the offset of pid.
        Assert.Contains(relos, r => r.InstructionOffset == 0 && r.AccessString == "0:0");
        Assert.Empty(Spec.FindProgram("on_enter")!.CoreRelocations);
    }
}
