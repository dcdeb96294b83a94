using System.Runtime.InteropServices;
using Ebpf.Core;
using Ebpf.Internal;
using Ebpf.Object;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests.CoreSupport;

/// <summary>
/// Relocates a test program with <see cref="CoreRelocator"/> (to inspect the result), loads its object through
/// <see cref="BpfObject"/> and runs raw tracepoint programs with BPF_PROG_TEST_RUN, which executes them in the calling
/// thread: bpf_get_current_task() is then this process.
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

    /// <summary>
    /// The relocator's result for <paramref name="program"/> against the running kernel, for inspection, and the object
    /// loaded through <see cref="BpfObject"/>, whose loader applies the same relocations before BPF_PROG_LOAD.
    /// </summary>
    public static BpfObject Load(string source, string program, out CoreRelocationResult result)
    {
        result = Relocate(source, program, CoreTarget.RunningKernel);
        return TestObjects.Load(source);
    }

    /// <summary>Runs raw tracepoint program <paramref name="program"/> of <paramref name="obj"/> once.</summary>
    public static uint RunRawTracepoint(BpfObject obj, string program) =>
        RunRawTracepoint(obj.GetProgram<RawTracepointProgram>(program).Handle);

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
