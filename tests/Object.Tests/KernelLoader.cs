using System.Runtime.InteropServices;
using Ebpf.Btf;

namespace Ebpf.Object.Tests;

/// <summary>
/// Just enough of bpf(2) to hand the reader's output to the kernel's verifier: BTF, maps without BTF, and
/// BPF_PROG_LOAD with func_info/line_info. A test oracle only (the real loader is the runtime's).
/// </summary>
internal static unsafe class KernelLoader
{
    private const int MapCreate = 0, MapLookup = 1, ProgLoad = 5, TestRun = 10, BtfLoad = 18;

    public sealed class LoadException(string message) : Exception(message);

    public static int LoadBtf(BtfSpec btf)
    {
        var log = new byte[1 << 16];
        var attr = stackalloc byte[64];
        new Span<byte>(attr, 64).Clear();
        fixed (byte* data = btf.RawBytes)
        fixed (byte* logBuf = log)
        {
            *(ulong*)attr = (ulong)data;
            *(ulong*)(attr + 8) = (ulong)logBuf;
            *(uint*)(attr + 16) = (uint)btf.RawBytes.Length;
            *(uint*)(attr + 20) = (uint)log.Length;
            *(uint*)(attr + 24) = 1;
            return Call(BtfLoad, attr, 64, "BPF_BTF_LOAD", log);
        }
    }

    public static int CreateMap(MapSpec m, int innerFd = 0)
    {
        var attr = stackalloc byte[80];
        new Span<byte>(attr, 80).Clear();
        *(uint*)attr = (uint)m.Type;
        *(uint*)(attr + 4) = m.KeySize;
        *(uint*)(attr + 8) = m.ValueSize;
        *(uint*)(attr + 12) = m.MaxEntries;
        *(uint*)(attr + 16) = m.Flags;
        *(uint*)(attr + 20) = (uint)innerFd;
        *(ulong*)(attr + 64) = m.MapExtra;
        return Call(MapCreate, attr, 80, $"BPF_MAP_CREATE '{m.Name}'", null);
    }

    /// <summary>Loads a linked program with its references patched to the given map fds; returns the program fd.</summary>
    public static int LoadProgram(ProgramSpec p, int btfFd, IReadOnlyDictionary<string, int> mapFds, Func<string, uint>? accessStringOffset = null,
                                  BtfSpec? vmlinux = null, IReadOnlyDictionary<string, uint>? kconfig = null)
    {
        var insns = (byte[])p.Instructions.Clone();
        foreach (var r in p.References)
        {
            var at = r.InstructionIndex * 8;
            switch (r.Kind)
            {
                case ReferenceKind.Map:
                    insns[at + 1] = (byte)((insns[at + 1] & 0x0f) | (1 << 4)); // BPF_PSEUDO_MAP_FD
                    BitConverter.TryWriteBytes(insns.AsSpan(at + 4), mapFds[r.Symbol]);
                    break;
                case ReferenceKind.MapValue:
                    insns[at + 1] = (byte)((insns[at + 1] & 0x0f) | (2 << 4)); // BPF_PSEUDO_MAP_VALUE
                    BitConverter.TryWriteBytes(insns.AsSpan(at + 4), mapFds[r.Symbol]);
                    BitConverter.TryWriteBytes(insns.AsSpan(at + 12), r.Offset);
                    break;
                case ReferenceKind.Kfunc:
                    // src_reg = BPF_PSEUDO_KFUNC_CALL, imm = the function's id in vmlinux BTF.
                    insns[at + 1] = (byte)((insns[at + 1] & 0x0f) | (2 << 4));
                    BitConverter.TryWriteBytes(insns.AsSpan(at + 4), vmlinux!.Find<BtfFunc>(r.Symbol)!.Id);
                    break;
                case ReferenceKind.Extern when kconfig is not null && kconfig.ContainsKey(r.Symbol):
                    // A .kconfig variable: a value in the .kconfig map at the reference's offset.
                    insns[at + 1] = (byte)((insns[at + 1] & 0x0f) | (2 << 4));
                    BitConverter.TryWriteBytes(insns.AsSpan(at + 4), mapFds[".kconfig"]);
                    BitConverter.TryWriteBytes(insns.AsSpan(at + 12), r.Offset);
                    break;
                case ReferenceKind.Extern:
                    // A .ksyms variable: src_reg = BPF_PSEUDO_BTF_ID, imm = the VAR's id in vmlinux BTF.
                    insns[at + 1] = (byte)((insns[at + 1] & 0x0f) | (3 << 4));
                    BitConverter.TryWriteBytes(insns.AsSpan(at + 4), vmlinux!.Find<BtfVar>(r.Symbol)!.Id);
                    break;
            }
        }
        var funcInfo = new byte[p.FuncInfos.Count * 8];
        for (var i = 0; i < p.FuncInfos.Count; i++)
        {
            BitConverter.TryWriteBytes(funcInfo.AsSpan(i * 8), p.FuncInfos[i].InstructionOffset);
            BitConverter.TryWriteBytes(funcInfo.AsSpan(i * 8 + 4), p.FuncInfos[i].TypeId);
        }
        var lineInfo = new byte[p.LineInfos.Count * 16];
        for (var i = 0; i < p.LineInfos.Count; i++)
        {
            var l = p.LineInfos[i];
            BitConverter.TryWriteBytes(lineInfo.AsSpan(i * 16), l.InstructionOffset);
            BitConverter.TryWriteBytes(lineInfo.AsSpan(i * 16 + 4), l.FileNameOffset);
            BitConverter.TryWriteBytes(lineInfo.AsSpan(i * 16 + 8), l.LineOffset);
            BitConverter.TryWriteBytes(lineInfo.AsSpan(i * 16 + 12), l.LineCol);
        }
        // The kernel applies CO-RE relocations itself when given them (its bpf_core_relo.insn_off is in bytes).
        var coreRelos = new byte[p.CoreRelocations.Count * 16];
        var btfStrings = new Dictionary<string, uint>();
        for (var i = 0; i < p.CoreRelocations.Count; i++)
        {
            var c = p.CoreRelocations[i];
            BitConverter.TryWriteBytes(coreRelos.AsSpan(i * 16), c.InstructionOffset * 8);
            BitConverter.TryWriteBytes(coreRelos.AsSpan(i * 16 + 4), c.TypeId);
            BitConverter.TryWriteBytes(coreRelos.AsSpan(i * 16 + 8), accessStringOffset!(c.AccessString));
            BitConverter.TryWriteBytes(coreRelos.AsSpan(i * 16 + 12), (uint)c.Kind);
        }
        var license = System.Text.Encoding.ASCII.GetBytes(p.License + "\0");
        var name = System.Text.Encoding.ASCII.GetBytes(p.Name.Length > 15 ? p.Name[..15] : p.Name);
        var log = new byte[1 << 20];
        var attr = stackalloc byte[144];
        new Span<byte>(attr, 144).Clear();
        fixed (byte* pInsns = insns)
        fixed (byte* pLicense = license)
        fixed (byte* pLog = log)
        fixed (byte* pFunc = funcInfo)
        fixed (byte* pLine = lineInfo)
        fixed (byte* pCore = coreRelos)
        {
            *(uint*)attr = (uint)p.Type;
            *(uint*)(attr + 4) = (uint)p.InstructionCount;
            *(ulong*)(attr + 8) = (ulong)pInsns;
            *(ulong*)(attr + 16) = (ulong)pLicense;
            *(uint*)(attr + 24) = 1;
            *(uint*)(attr + 28) = (uint)log.Length;
            *(ulong*)(attr + 32) = (ulong)pLog;
            *(uint*)(attr + 44) = p.Sleepable ? 1u << 4 : 0;
            name.CopyTo(new Span<byte>(attr + 48, 16));
            *(uint*)(attr + 68) = (uint)p.ExpectedAttachType;
            *(uint*)(attr + 72) = (uint)btfFd;
            *(uint*)(attr + 76) = 8;
            *(ulong*)(attr + 80) = (ulong)pFunc;
            *(uint*)(attr + 88) = (uint)p.FuncInfos.Count;
            *(uint*)(attr + 92) = 16;
            *(ulong*)(attr + 96) = (ulong)pLine;
            *(uint*)(attr + 104) = (uint)p.LineInfos.Count;
            if (p.Type == ProgramType.Tracing && p.ExpectedAttachType == AttachType.TraceRawTp)
                *(uint*)(attr + 108) = vmlinux!.Find<BtfRef>("btf_trace_" + p.AttachTarget)!.Id;
            *(uint*)(attr + 116) = (uint)p.CoreRelocations.Count;
            *(ulong*)(attr + 128) = (ulong)pCore;
            *(uint*)(attr + 136) = 16;
            return Call(ProgLoad, attr, 144, $"BPF_PROG_LOAD '{p.Name}'", log);
        }
    }

    /// <summary>Runs a program once with BPF_PROG_TEST_RUN and the given context; returns its return value.</summary>
    public static uint Run(int progFd, byte[] context)
    {
        var attr = stackalloc byte[80];
        new Span<byte>(attr, 80).Clear();
        fixed (byte* ctx = context)
        {
            *(uint*)attr = (uint)progFd;
            *(uint*)(attr + 40) = (uint)context.Length;
            *(ulong*)(attr + 48) = (ulong)ctx;
            Call(TestRun, attr, 80, "BPF_PROG_TEST_RUN", null);
            return *(uint*)(attr + 4);
        }
    }

    /// <summary>The value stored under a 4-byte key.</summary>
    public static byte[] Lookup(int mapFd, uint key, int valueSize)
    {
        var value = new byte[valueSize];
        var attr = stackalloc byte[32];
        new Span<byte>(attr, 32).Clear();
        fixed (byte* v = value)
        {
            *(uint*)attr = (uint)mapFd;
            *(ulong*)(attr + 8) = (ulong)&key;
            *(ulong*)(attr + 16) = (ulong)v;
            Call(MapLookup, attr, 32, "BPF_MAP_LOOKUP_ELEM", null);
        }
        return value;
    }

    private static int Call(int cmd, byte* attr, int size, string what, byte[]? log)
    {
        var nr = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 280 : 321;
        var fd = syscall(nr, cmd, attr, size);
        if (fd >= 0)
            return (int)fd;
        var errno = Marshal.GetLastPInvokeError();
        var text = log is null ? "" : System.Text.Encoding.ASCII.GetString(log, 0, Math.Max(0, Array.IndexOf(log, (byte)0)));
        throw new LoadException($"{what} failed: errno {errno}\n{(text.Length > 4000 ? text[^4000..] : text)}");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern long syscall(long number, long cmd, byte* attr, long size);

    [DllImport("libc")]
    public static extern int close(int fd);
}
