using Ebpf.TestKit;

namespace Ebpf.Object.Tests;

/// <summary>
/// The strongest oracle for linking: the kernel's verifier. The reader's linked programs, with their
/// func_info/line_info and the object's fixed-up BTF, are loaded through a minimal test loader. The verifier
/// rejects wrong call offsets, callbacks not marked BPF_PSEUDO_FUNC, func_info not at function starts, line
/// info out of order, a DATASEC of size 0 and wrong expected attach types.
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

    private void LoadAll(ObjectSpec spec, Func<ProgramSpec, bool> which)
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
            foreach (var p in spec.Programs.Where(which))
            {
                var fd = KernelLoader.LoadProgram(p, btfFd, maps);
                fds.Add(fd);
                output.WriteLine($"{p.Name}: loaded, {p.InstructionCount} insns, {p.FuncInfos.Count} funcs, {p.LineInfos.Count} lines");
            }
        }
        finally
        {
            foreach (var fd in fds)
                KernelLoader.close(fd);
        }
    }
}
