using Ebpf.TestKit;

namespace Ebpf.Object.Tests;

/// <summary>
/// The strongest oracle for linking: the kernel's verifier. The reader's linked programs, with their
/// func_info/line_info and the object's fixed-up BTF, are loaded through a minimal test loader. The verifier
/// rejects wrong call offsets, callbacks not marked BPF_PSEUDO_FUNC, func_info not at function starts, line
/// info out of order, a DATASEC of size 0 and wrong expected attach types. Given the CO-RE records, the
/// kernel also applies them against its own BTF, which checks their instruction offsets, types and access
/// strings.
/// </summary>
public class KernelAcceptanceTests(ITestOutputHelper output)
{
    private static readonly Lazy<Btf.BtfSpec> Vmlinux = new(() => Btf.BtfSpec.Parse(File.ReadAllBytes("/sys/kernel/btf/vmlinux")));

    [Fact]
    public void LinkedProgramsOfObjFeaturesPassTheVerifier()
    {
        Kernel.RequireRoot();
        LoadAll(ObjectSpec.Parse(TestObjects.Bytes("obj_features.bpf.c")), p => true);
    }

    [Fact]
    public void ObjectWithExternsHasLoadableBtfAndPrograms()
    {
        Kernel.RequireRoot();
        // The BTF is rejected without the extern fix-ups ("Invalid func linkage"). on_enter calls a global
        // function, which the verifier checks on its own through BTF, and a hidden one, checked in context.
        // on_switch calls kfuncs, reads .ksyms and .kconfig externs and attaches to a BTF tracepoint: the test
        // loader resolves those against vmlinux the way the runtime must.
        LoadAll(ObjectSpec.Parse(TestObjects.Bytes("obj_core.bpf.c")), p => p.Name is "on_enter" or "on_switch");
    }

    [Fact]
    public void KsymVariableResolvesThroughVmlinuxBtf()
    {
        Kernel.RequireRoot();
        // The kernel finds a .ksyms variable's address in kallsyms, which lists variables only with
        // CONFIG_KALLSYMS_ALL (off on this project's test machine).
        var listed = File.ReadLines("/proc/kallsyms").Any(l => l.EndsWith(" bpf_prog_active", StringComparison.Ordinal));
        Kernel.SkipAbsentFeature(!listed, "CONFIG_KALLSYMS_ALL (bpf_prog_active is not in /proc/kallsyms)");
        LoadAll(ObjectSpec.Parse(TestObjects.Bytes("obj_core.bpf.c")), p => p.Name == "on_ksym");
    }

    [Fact]
    public void TheKernelAppliesTheCoreRelocationsAgainstVmlinux()
    {
        Kernel.RequireRoot();
        var spec = ObjectSpec.Parse(TestObjects.Bytes("obj_core.bpf.c"));
        var vmlinux = Vmlinux.Value;
        var task = vmlinux.Find<Btf.BtfComposite>("task_struct")!;
        var pid = task.Members.Single(m => m.Name == "pid");
        var bss = spec.DataSections.Single(d => d.Name == ".bss");
        ulong Read(byte[] value, string name) => BitConverter.ToUInt64(value, (int)bss.Variables.Single(v => v.Name == name).Offset);

        LoadAll(spec, p => p.Name == "core_values", (fds, maps) =>
        {
            Assert.Equal(0u, KernelLoader.Run(fds["core_values"], new byte[8]));
            var value = KernelLoader.Lookup(maps[".bss"], 0, (int)bss.Size);
            Assert.Equal(pid.BitOffset / 8, Read(value, "core_pid_offset"));
            Assert.Equal(4ul, Read(value, "core_pid_size"));
            Assert.Equal(1ul, Read(value, "core_parent_exists"));
            Assert.Equal(task.Size, Read(value, "core_task_size"));
            output.WriteLine($"task_struct: pid at {pid.BitOffset / 8}, size {task.Size}: as the relocated program computed");
        });
    }

    private void LoadAll(ObjectSpec spec, Func<ProgramSpec, bool> which, Action<Dictionary<string, int>, Dictionary<string, int>>? then = null)
    {
        var fds = new List<int>();
        try
        {
            var btfFd = KernelLoader.LoadBtf(spec.Btf!);
            fds.Add(btfFd);
            var maps = new Dictionary<string, int>();
            var kconfig = spec.Btf!.Find<Btf.BtfDataSec>(".kconfig");
            Dictionary<string, uint>? kconfigOffsets = null;
            if (kconfig is not null)
            {
                // libbpf's .kconfig map: one read-only value laid out as the fixed-up DATASEC says.
                fds.Add(maps[".kconfig"] = KernelLoader.CreateMap(new MapSpec(".kconfig", MapType.Array, 4, kconfig.Size, 1, MapSpec.FlagReadOnlyProg)));
                kconfigOffsets = kconfig.Vars.ToDictionary(v => spec.Btf[v.TypeId].Name, v => v.Offset);
            }
            foreach (var m in spec.Maps)
            {
                var inner = 0;
                if (m.InnerMap is not null)
                {
                    inner = KernelLoader.CreateMap(m.InnerMap);
                    fds.Add(inner);
                }
                var fd = KernelLoader.CreateMap(m, inner);
                fds.Add(fd);
                maps[m.Name] = fd;
            }
            var programs = new Dictionary<string, int>();
            foreach (var p in spec.Programs.Where(which))
            {
                var fd = KernelLoader.LoadProgram(p, btfFd, maps, s => StringOffset(spec.Btf!, s), Vmlinux.Value, kconfigOffsets);
                fds.Add(fd);
                programs[p.Name] = fd;
                output.WriteLine($"{p.Name}: loaded, {p.InstructionCount} insns, {p.FuncInfos.Count} funcs, {p.LineInfos.Count} lines, {p.CoreRelocations.Count} CO-RE relocations");
            }
            then?.Invoke(programs, maps);
        }
        finally
        {
            foreach (var fd in fds)
                KernelLoader.close(fd);
        }
    }

    /// <summary>Where a string sits in the BTF string section (the CO-RE record wants the offset back).</summary>
    private static uint StringOffset(Btf.BtfSpec btf, string s)
    {
        for (uint off = 0; off < btf.StringsLength; off++)
            if (btf.GetString(off) == s)   // a suffix of a longer string is as good: it reads the same
                return off;
        throw new InvalidOperationException($"'{s}' is not in the BTF strings");
    }
}
