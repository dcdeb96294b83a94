using Ebpf.Internal;
using Ebpf.Maps;
using Ebpf.Programs;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests.EventsSupport;

/// <summary>Loads an event test object with the runtime's loader and drives its raw tracepoint producers with BPF_PROG_TEST_RUN.</summary>
internal static unsafe class EventPrograms
{
    public static BpfObject Load(string source)
    {
        var obj = BpfObject.OpenFile(TestObjects.Compile(source));
        try
        {
            obj.Load();
            return obj;
        }
        catch
        {
            obj.Dispose();
            throw;
        }
    }

    /// <summary>Runs a raw tracepoint program once on CPU <paramref name="cpu"/> with <paramref name="args"/> as its context.</summary>
    public static uint Run(BpfProgram program, ReadOnlySpan<ulong> args, int cpu)
    {
        fixed (ulong* ctx = args)
        {
            var attr = new TestRunAttr
            {
                ProgFd = program.Handle.Value,
                CtxIn = (ulong)ctx,
                CtxSizeIn = (uint)(args.Length * 8),
                Flags = 1, // BPF_F_TEST_RUN_ON_CPU
                Cpu = (uint)cpu,
            };
            if (Sys.ProgTestRun(ref attr) is var errno and not 0)
                throw new InvalidOperationException($"BPF_PROG_TEST_RUN of {program.Name} on CPU {cpu}: errno {errno}");
            GC.KeepAlive(program);
            return attr.Retval;
        }
    }

    /// <summary>An 8-byte value of an array map (the programs' counters).</summary>
    public static ulong ReadU64(BpfMap map, uint key)
    {
        Span<byte> value = stackalloc byte[8];
        map.Lookup(BitConverter.GetBytes(key), value);
        return BitConverter.ToUInt64(value);
    }
}
