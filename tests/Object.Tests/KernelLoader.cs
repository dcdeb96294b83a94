using System.Runtime.InteropServices;
using Ebpf.Btf;

namespace Ebpf.Object.Tests;

/// <summary>
/// Just enough of bpf(2) to hand the reader's output to the kernel's verifier: BTF, maps without BTF, and
/// BPF_PROG_LOAD with func_info/line_info. A test oracle only (the real loader is the runtime's).
/// </summary>
internal static unsafe class KernelLoader
{
    private const int MapCreate = 0, ProgLoad = 5, BtfLoad = 18;

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
    public static int LoadProgram(ProgramSpec p, int btfFd, IReadOnlyDictionary<string, int> mapFds)
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
                default:
                    throw new NotSupportedException($"the test loader does not resolve {r.Kind} references ({r.Symbol})");
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
            return Call(ProgLoad, attr, 144, $"BPF_PROG_LOAD '{p.Name}'", log);
        }
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
