using System.Runtime.InteropServices;
using Ebpf.Core;
using Ebpf.Internal;
using Ebpf.Object;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests.CoreSupport;

/// <summary>
/// Relocates a test program with <see cref="CoreRelocator"/>, loads the result with the attach tests' minimal loader
/// (the object loader is not needed for self-contained programs) and runs raw tracepoint programs with
/// BPF_PROG_TEST_RUN, which executes them in the calling thread: bpf_get_current_task() is then this process.
/// </summary>
internal static unsafe class CorePrograms
{
    public static ObjectSpec Object(string source) => ObjectSpec.Parse(TestObjects.Bytes(source));

    public static CoreRelocationResult Relocate(string source, string program, CoreTarget target)
    {
        var obj = Object(source);
        var spec = obj.FindProgram(program) ?? throw new InvalidOperationException($"{source} has no program {program}");
        return CoreRelocator.Relocate(obj, spec, target);
    }

    /// <summary>The program with its relocated instructions and no relocations left, ready for BPF_PROG_LOAD.</summary>
    public static ProgramSpec Relocated(ProgramSpec spec, CoreRelocationResult result) =>
        new(spec.Name, spec.SectionName, spec.Type, spec.ExpectedAttachType, spec.AttachType, spec.AttachTarget, spec.Sleepable,
            spec.License, spec.KernelVersion, result.Instructions, spec.References, spec.FuncInfos, spec.LineInfos, []);

    public static BpfFd Load(string source, string program, out CoreRelocationResult result)
    {
        var obj = Object(source);
        var spec = obj.FindProgram(program) ?? throw new InvalidOperationException($"{source} has no program {program}");
        result = CoreRelocator.Relocate(obj, spec, CoreTarget.RunningKernel);
        return TestProgramLoader.LoadFd(Relocated(spec, result));
    }

    /// <summary>Runs a raw tracepoint program once without a context and returns its return value.</summary>
    public static uint RunRawTracepoint(BpfFd program)
    {
        var attr = new TestRunAttr { ProgFd = program.Value };
        if (Sys.ProgTestRun(ref attr) is var errno and not 0)
            throw new InvalidOperationException($"BPF_PROG_TEST_RUN of a raw tracepoint program: errno {errno}");
        GC.KeepAlive(program);
        return attr.Retval;
    }

    [DllImport("libc", SetLastError = true)]
    public static extern int gettid();

    [DllImport("libc", SetLastError = true)]
    public static extern int getppid();
}
