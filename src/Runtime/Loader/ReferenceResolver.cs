using System.Buffers.Binary;
using Ebpf.Btf;
using Ebpf.Internal;
using Ebpf.Maps;
using Ebpf.Object;

namespace Ebpf.Loader;

/// <summary>
/// Writes what the kernel needs into a program's ld_imm64 and call instructions (the <see cref="ProgramSpec.References"/>
/// the reader found): a map's fd (BPF_PSEUDO_MAP_FD), a data map's fd plus the variable's offset
/// (BPF_PSEUDO_MAP_VALUE), a kfunc's or .ksyms variable's id in the kernel BTF (BPF_PSEUDO_KFUNC_CALL,
/// BPF_PSEUDO_BTF_ID) and a .kconfig variable's place in the .kconfig map.
/// A <c>__weak</c> kernel extern this kernel lacks is not an error, as with libbpf: its address loads as 0 (so
/// <c>bpf_ksym_exists()</c> is false and the verifier drops the code it guards) and a call to it becomes a call of
/// helper <see cref="PoisonedKfuncCallBase"/> + the reference's index, which the verifier refuses only if it can reach it.
/// </summary>
internal sealed class ReferenceResolver
{
    private const byte PseudoMapFd = 1, PseudoMapValue = 2, PseudoBtfId = 3, PseudoKfuncCall = 2;

    /// <summary>The helper number of a call to a missing weak kfunc, plus its index in <see cref="ProgramSpec.References"/>:
    /// no helper has it, so the verifier's "invalid func unknown#N" names the call (libbpf uses the same base).</summary>
    public const int PoisonedKfuncCallBase = 2002000000;

    private readonly Func<string, BpfMap?> findMap;
    private readonly Func<BtfSpec> kernelBtf;
    private readonly BpfMap? kconfigMap;
    private readonly IReadOnlySet<string> kconfigNames;

    public ReferenceResolver(Func<string, BpfMap?> findMap, Func<BtfSpec> kernelBtf, BpfMap? kconfigMap, IReadOnlySet<string> kconfigNames)
    {
        this.findMap = findMap;
        this.kernelBtf = kernelBtf;
        this.kconfigMap = kconfigMap;
        this.kconfigNames = kconfigNames;
    }

    /// <summary>Patches <paramref name="instructions"/> (a copy of the program's) in place.</summary>
    public void Apply(ProgramSpec program, byte[] instructions)
    {
        for (var i = 0; i < program.References.Count; i++)
        {
            var r = program.References[i];
            var at = r.InstructionIndex * 8;
            if (at < 0 || at + 8 > instructions.Length)
                throw new BpfException($"program '{program.Name}': reference to '{r.Symbol}' points past the program's end", 0, "relocate", program.Name);
            switch (r.Kind)
            {
                case ReferenceKind.Map:
                    SetLoad64(program, instructions, at, r, PseudoMapFd, Map(program, r.Symbol).Fd, 0);
                    break;
                case ReferenceKind.MapValue:
                    SetLoad64(program, instructions, at, r, PseudoMapValue, Map(program, r.Symbol).Fd, r.Offset);
                    break;
                case ReferenceKind.Kfunc:
                {
                    var id = KernelId<BtfFunc>(r.Symbol) ?? MissingWeak(program, r, "kernel function (kfunc)");
                    SetSource(instructions, at, id is null ? (byte)0 : PseudoKfuncCall);
                    BinaryPrimitives.WriteInt16LittleEndian(instructions.AsSpan(at + 2), 0); // off: 0 = vmlinux (no module fd_array)
                    BinaryPrimitives.WriteInt32LittleEndian(instructions.AsSpan(at + 4), id is { } found ? (int)found : PoisonedKfuncCallBase + i);
                    break;
                }
                case ReferenceKind.Extern when kconfigNames.Contains(r.Symbol):
                    SetLoad64(program, instructions, at, r, PseudoMapValue, kconfigMap!.Fd, r.Offset);
                    break;
                case ReferenceKind.Extern:
                {
                    // A variable, or a kfunc whose address is taken (bpf_ksym_exists): the kernel accepts either's id.
                    var id = KernelId<BtfVar>(r.Symbol) ?? KernelId<BtfFunc>(r.Symbol) ?? MissingWeak(program, r, "kernel variable (__ksym)");
                    SetLoad64(program, instructions, at, r, id is null ? (byte)0 : PseudoBtfId, (int)(id ?? 0), 0);
                    break;
                }
            }
        }
    }

    private BpfMap Map(ProgramSpec program, string name) =>
        findMap(name) ?? throw new BpfException(
            $"program '{program.Name}' refers to map '{name}', which the object does not define", 0, "relocate", program.Name);

    private static void SetLoad64(ProgramSpec program, byte[] insns, int at, InstructionReference r, byte source, int imm, uint nextImm)
    {
        // ld_imm64 is two 8-byte slots: opcode BPF_LD|BPF_IMM|BPF_DW (0x18) in the first, imm in bytes 4..7 of each.
        if (insns[at] != 0x18 || at + 16 > insns.Length)
            throw new BpfException(
                $"program '{program.Name}': the reference to '{r.Symbol}' is at instruction {r.InstructionIndex}, which is not a 64-bit load",
                0, "relocate", program.Name);
        SetSource(insns, at, source);
        BinaryPrimitives.WriteInt32LittleEndian(insns.AsSpan(at + 4), imm);
        BinaryPrimitives.WriteUInt32LittleEndian(insns.AsSpan(at + 12), nextImm);
    }

    private static void SetSource(byte[] insns, int at, byte source) => insns[at + 1] = (byte)((insns[at + 1] & 0x0f) | (source << 4));

    private uint? KernelId<T>(string name) where T : BtfType
    {
        foreach (var t in kernelBtf().FindByName(name))
            if (t is T)
                return t.Id;
        return null;
    }

    /// <summary>For a symbol the kernel's BTF lacks: null when the reference is weak (see the class), else the error.</summary>
    private static uint? MissingWeak(ProgramSpec program, InstructionReference r, string what)
    {
        if (r.Weak)
            return null;
        throw new BpfException(
            $"program '{program.Name}' uses the {what} '{r.Symbol}', which the running kernel's BTF does not have: the kernel is too old "
            + "or built without it (functions and variables of kernel modules are not resolved by this loader yet). "
            + $"If the program can do without it, declare it __weak and test bpf_ksym_exists({r.Symbol}) before using it",
            Errno.ENOENT, "relocate", program.Name);
    }
}
