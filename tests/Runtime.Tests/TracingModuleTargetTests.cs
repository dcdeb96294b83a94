using Ebpf.Btf;
using Ebpf.Internal;
using Ebpf.Loader;
using Ebpf.Object;
using Ebpf.Object.Tests;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// tp_btf/fentry attach targets in kernel modules: when vmlinux's BTF lacks the target, the loader looks in each
/// module's split BTF and reports the module (whose BTF object becomes attach_btf_obj_fd). No module of the test
/// machine's kernel has BTF, so the lookup runs over hand-built vmlinux and split module BTF; the kernel side
/// (BPF_BTF_GET_FD_BY_ID by module name, attach_btf_obj_fd) is not exercised here.
/// </summary>
public sealed class TracingModuleTargetTests
{
    private static ProgramSpec Program(string name) =>
        ObjectSpec.Parse(File.ReadAllBytes(TestObjects.Compile("tr_module_target.bpf.c"))).Programs.Single(p => p.Name == name);

    // vmlinux: [1] int, [2] void(), [3] FUNC vmlinux_func, [4] typedef btf_trace_vmlinux_event.
    private static BtfSpec Vmlinux() => BtfSpec.Parse(new BtfBuilder()
        .Int("int", 4, 32, 1).Raw(13, 0, 0).Func("vmlinux_func", 2).Typedef("btf_trace_vmlinux_event", 2).Build());

    // A module continuing vmlinux's ids at 5: [5] void(), then the given types.
    private static ModuleBtf Module(BtfSpec vmlinux, string module, Func<BtfBuilder, BtfBuilder> types) =>
        new(module, BtfSpec.Parse(types(new BtfBuilder(stringBase: vmlinux.StringsLength).Raw(13, 0, 0)).Build(), vmlinux));

    [Fact]
    public void A_tracepoint_only_a_module_has_resolves_to_that_modules_type_id()
    {
        var vmlinux = Vmlinux();
        var modules = new[]
        {
            Module(vmlinux, "mod_a", b => b.Func("other_func", 5)),
            Module(vmlinux, "mod_b", b => b.Func("tr_module_event", 5).Typedef("btf_trace_tr_module_event", 5)),
        };
        var target = AttachTargets.Resolve(Program("tr_module_tp"), () => vmlinux, _ => modules);
        Assert.Equal("mod_b", target.Module);
        // mod_b: [5] proto, [6] FUNC tr_module_event (wrong kind for a tracepoint), [7] the typedef.
        Assert.Equal(7u, target.BtfId);
        Assert.Equal("btf_trace_tr_module_event", modules[1].Btf[target.BtfId].Name);
    }

    [Fact]
    public void A_function_only_a_module_has_resolves_to_that_modules_func()
    {
        var vmlinux = Vmlinux();
        var modules = new[] { Module(vmlinux, "mod_c", b => b.Typedef("tr_module_func", 5).Func("tr_module_func", 5)) };
        var target = AttachTargets.Resolve(Program("tr_module_fentry"), () => vmlinux, _ => modules);
        Assert.Equal(new AttachTarget(7, "mod_c"), target);
    }

    [Fact]
    public void A_target_in_vmlinux_never_reads_module_btf()
    {
        var vmlinux = BtfSpec.Parse(new BtfBuilder()
            .Int("int", 4, 32, 1).Raw(13, 0, 0).Func("tr_module_func", 2).Typedef("btf_trace_tr_module_event", 2).Build());
        IEnumerable<ModuleBtf> NoModules(BtfSpec _) => throw new InvalidOperationException("module BTF was read");
        Assert.Equal(new AttachTarget(3, null), AttachTargets.Resolve(Program("tr_module_fentry"), () => vmlinux, NoModules));
        Assert.Equal(new AttachTarget(4, null), AttachTargets.Resolve(Program("tr_module_tp"), () => vmlinux, NoModules));
    }

    [Fact]
    public void A_module_does_not_match_vmlinux_types_seen_through_its_base()
    {
        // The module's FindByName also yields base types; a vmlinux FUNC of the name must not be reported as the module's.
        var vmlinux = Vmlinux();
        var modules = new[] { Module(vmlinux, "mod_d", b => b.Func("unrelated", 5)) };
        var e = Assert.Throws<BpfException>(() => AttachTargets.Resolve(Program("tr_module_fentry"), () => vmlinux, _ => modules));
        Assert.Contains("the kernel function 'tr_module_func'", e.Message);
        Assert.Contains("modprobe", e.Message);
    }

    [Fact]
    public void Module_btf_files_are_read_as_split_btf_over_vmlinux_skipping_vmlinux_itself()
    {
        var vmlinux = Vmlinux();
        var dir = Directory.CreateTempSubdirectory("ebpf-module-btf-");
        try
        {
            File.WriteAllBytes(Path.Combine(dir.FullName, "vmlinux"), [1, 2, 3]); // not BTF: must not be parsed
            File.WriteAllBytes(Path.Combine(dir.FullName, "zmod"),
                new BtfBuilder(stringBase: vmlinux.StringsLength).Raw(13, 0, 0).Typedef("btf_trace_tr_module_event", 5).Build());
            File.WriteAllBytes(Path.Combine(dir.FullName, "amod"),
                new BtfBuilder(stringBase: vmlinux.StringsLength).Raw(13, 0, 0).Func("tr_module_func", 5).Build());
            var modules = ModuleBtfs.Enumerate(vmlinux, dir.FullName).ToArray();
            Assert.Equal(["amod", "zmod"], modules.Select(m => m.Module));
            Assert.All(modules, m => Assert.Same(vmlinux, m.Btf.Base));
            Assert.Equal(new AttachTarget(6, "zmod"),
                AttachTargets.Resolve(Program("tr_module_tp"), () => vmlinux, v => ModuleBtfs.Enumerate(v, dir.FullName)));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_kernels_btf_objects_are_found_by_name()
    {
        // No module has BTF here, but vmlinux's BTF object is listed the same way (kernel_btf set, named "vmlinux").
        Kernel.RequireRoot();
        using (var fd = BtfObjects.OpenKernelModule("vmlinux"))
            Assert.Contains("btf_id:", File.ReadAllText($"/proc/self/fdinfo/{fd.Value}"));
        var e = Assert.Throws<BpfException>(() => BtfObjects.OpenKernelModule("ebpf_no_such_module"));
        Assert.Contains("'ebpf_no_such_module' is not among the kernel's BTF objects", e.Message);
    }
}
