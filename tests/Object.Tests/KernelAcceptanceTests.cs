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
        // (on_switch needs kfunc and tp_btf resolution, which this test loader does not do.)
        LoadAll(ObjectSpec.Parse(TestObjects.Bytes("obj_core.bpf.c")), p => p.Name == "on_enter");
    }

    [Fact]
    public void TheKernelAppliesTheCoreRelocationsAgainstVmlinux()
    {
        Kernel.RequireRoot();
        var spec = ObjectSpec.Parse(TestObjects.Bytes("obj_core.bpf.c"));
        var vmlinux = Btf.BtfSpec.Parse(File.ReadAllBytes("/sys/kernel/btf/vmlinux"));
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
                var fd = KernelLoader.LoadProgram(p, btfFd, maps, s => StringOffset(spec.Btf!, s));
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
