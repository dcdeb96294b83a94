using System.Runtime.InteropServices;
using System.Text;
using Ebpf.Btf;
using Ebpf.Internal;
using Ebpf.Object;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests.AttachSupport;

/// <summary>
/// Loads one program of a test object with BPF_PROG_LOAD and wraps it with <see cref="BpfProgram.Create"/>,
/// the factory the runtime's object loader uses. It exists so the attach tests do not depend on the object
/// loader (maps engineer's work) being finished; it handles only programs without map references, which is
/// all the attach tests need. tp_btf/fentry targets are resolved in the kernel's BTF as the real loader must.
/// </summary>
internal static unsafe class TestProgramLoader
{
    private static readonly Lazy<BtfSpec> vmlinux = new(() => BtfSpec.Parse(File.ReadAllBytes("/sys/kernel/btf/vmlinux")));

    /// <summary>The load failed; <see cref="Errno"/> is the kernel's error, the message carries the verifier log.</summary>
    public sealed class LoadException(string message, int errno) : Exception(message)
    {
        public int Errno { get; } = errno;
    }

    /// <summary>Compiles tests/bpf/<paramref name="source"/> (cached) and loads program <paramref name="name"/>.</summary>
    public static T Load<T>(string source, string name) where T : BpfProgram
    {
        var spec = ObjectSpec.Parse(TestObjects.Bytes(source)).FindProgram(name)
            ?? throw new InvalidOperationException($"{source} has no program {name}");
        return (T)BpfProgram.Create(spec, LoadFd(spec));
    }

    public static BpfFd LoadFd(ProgramSpec spec)
    {
        if (spec.References.Count != 0)
            throw new InvalidOperationException($"{spec.Name} references maps or externs; this test loader only loads self-contained programs");
        var log = new byte[1 << 16];
        var license = Encoding.ASCII.GetBytes(spec.License + "\0");
        fixed (byte* insns = spec.Instructions, lic = license, logp = log)
        {
            var attr = new ProgLoadAttr
            {
                ProgType = (uint)spec.Type,
                InsnCnt = (uint)spec.InstructionCount,
                Insns = (ulong)insns,
                License = (ulong)lic,
                LogLevel = 1,
                LogSize = (uint)log.Length,
                LogBuf = (ulong)logp,
                KernVersion = spec.KernelVersion,
                ExpectedAttachType = (uint)spec.ExpectedAttachType,
                AttachBtfId = AttachBtfId(spec),
            };
            ObjName.Write(attr.ProgName, spec.Name);
            var fd = Sys.ProgLoad(ref attr, out var errno);
            if (fd is null)
            {
                var text = Encoding.ASCII.GetString(log, 0, Math.Max(0, Array.IndexOf(log, (byte)0)));
                throw new LoadException($"BPF_PROG_LOAD {spec.Name}: errno {errno}\n{text}", errno);
            }
            return fd;
        }
    }

    // tp_btf targets are the typedef btf_trace_<name>; fentry/fexit targets are functions.
    private static uint AttachBtfId(ProgramSpec spec)
    {
        if (spec.Type != ProgramType.Tracing || spec.AttachTarget is null)
            return 0;
        return spec.ExpectedAttachType == AttachType.TraceRawTp
            ? vmlinux.Value.FindByName("btf_trace_" + spec.AttachTarget).First(t => t.Kind == BtfKind.Typedef).Id
            : vmlinux.Value.FindByName(spec.AttachTarget).First(t => t.Kind == BtfKind.Func).Id;
    }
}
