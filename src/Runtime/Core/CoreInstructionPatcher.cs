using System.Buffers.Binary;

namespace Ebpf.Core;

/// <summary>
/// Writes a relocation's value into its instruction the way libbpf's bpf_core_patch_insn does: the immediate
/// of an ALU instruction, the offset (and, when the field's size changed, the access size) of a load or store,
/// or both halves of a 64-bit immediate load. Unsatisfied relocations turn the instruction into a call of the
/// non-existent helper 0xbad2310, which the verifier accepts in dead code and reports by number otherwise.
/// Instructions are little-endian (the runtime loads only on little-endian hosts).
/// </summary>
internal static class CoreInstructionPatcher
{
    public const int PoisonHelper = 0xbad2310; // 195896080, libbpf's "bad relo"

    private const byte ClassMask = 0x07, ClassLd = 0x00, ClassLdx = 0x01, ClassSt = 0x02, ClassStx = 0x03,
        ClassAlu = 0x04, ClassJmp = 0x05, ClassAlu64 = 0x07;
    private const byte SourceX = 0x08, SizeMask = 0x18, CallOp = 0x80, LdImm64 = 0x18;

    /// <summary>
    /// Patches instruction <paramref name="index"/>. Returns null, or the reason the instruction was poisoned
    /// instead. Throws <see cref="CoreError"/> when the instruction does not have the form the relocation implies.
    /// </summary>
    public static string? Patch(Span<byte> insns, int index, in CoreRelocationValue value)
    {
        var insn = Instruction(insns, index);
        if (value.Poison)
        {
            Poison(insns, index);
            return value.PoisonReason;
        }
        var code = insn[0];
        switch (code & ClassMask)
        {
            case ClassAlu:
            case ClassAlu64:
            {
                if ((code & SourceX) != 0)
                    throw new CoreError($"instruction #{index} is a register ALU operation; only immediates can be relocated");
                var imm = BinaryPrimitives.ReadInt32LittleEndian(insn.Slice(4));
                if (value.Validate && (ulong)(long)imm != value.Original)
                    throw new CoreError($"instruction #{index} (ALU) has immediate {imm}, expected {value.Original}");
                BinaryPrimitives.WriteInt32LittleEndian(insn.Slice(4), unchecked((int)value.New));
                return null;
            }
            case ClassLdx:
            case ClassSt:
            case ClassStx:
            {
                var off = BinaryPrimitives.ReadInt16LittleEndian(insn.Slice(2));
                if (value.Validate && (ulong)(long)off != value.Original)
                    throw new CoreError($"instruction #{index} (LDX/ST/STX) has offset {off}, expected {value.Original}");
                if (value.New > (ulong)short.MaxValue)
                    throw new CoreError($"instruction #{index} (LDX/ST/STX): offset {value.New} does not fit the instruction's 16 bits");
                if (value.FailMemorySizeAdjust)
                {
                    Poison(insns, index);
                    return $"the field's size changed from {value.OriginalSize} to {value.NewSize} bytes and it is neither a pointer nor an unsigned integer, so the load cannot be resized";
                }
                BinaryPrimitives.WriteInt16LittleEndian(insn.Slice(2), (short)value.New);
                if (value.NewSize != value.OriginalSize)
                {
                    var size = (code & SizeMask) switch { 0x18 => 8u, 0x00 => 4u, 0x08 => 2u, _ => 1u };
                    if (size != value.OriginalSize)
                        throw new CoreError($"instruction #{index} (LDX/ST/STX) accesses {size} bytes, expected {value.OriginalSize}");
                    byte newSize = value.NewSize switch
                    {
                        8 => 0x18, 4 => 0x00, 2 => 0x08, 1 => 0x10,
                        _ => throw new CoreError($"instruction #{index} (LDX/ST/STX): the target field is {value.NewSize} bytes, which no load can read"),
                    };
                    insn[0] = (byte)((code & ~SizeMask) | newSize);
                }
                return null;
            }
            case ClassLd:
            {
                if (code != LdImm64 || (insn[1] & 0xf0) != 0 || BinaryPrimitives.ReadInt16LittleEndian(insn.Slice(2)) != 0 || index + 1 >= insns.Length / 8)
                    throw new CoreError($"instruction #{index} (LD) is not a plain 64-bit immediate load");
                var second = Instruction(insns, index + 1);
                if (second[0] != 0 || second[1] != 0 || BinaryPrimitives.ReadInt16LittleEndian(second.Slice(2)) != 0)
                    throw new CoreError($"instruction #{index} (LDIMM64) has an unexpected second half");
                var imm = (ulong)BinaryPrimitives.ReadUInt32LittleEndian(insn.Slice(4)) | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(second.Slice(4)) << 32);
                if (value.Validate && imm != value.Original)
                    throw new CoreError($"instruction #{index} (LDIMM64) has value {imm}, expected {value.Original}");
                BinaryPrimitives.WriteUInt32LittleEndian(insn.Slice(4), (uint)value.New);
                BinaryPrimitives.WriteUInt32LittleEndian(second.Slice(4), (uint)(value.New >> 32));
                return null;
            }
            default:
                throw new CoreError($"instruction #{index} (code 0x{code:x2}) cannot carry a CO-RE relocation");
        }
    }

    /// <summary>Replaces the instruction (both halves of a 64-bit immediate load) with a call of helper 0xbad2310.</summary>
    public static void Poison(Span<byte> insns, int index)
    {
        var wide = Instruction(insns, index)[0] == LdImm64 && index + 1 < insns.Length / 8;
        if (wide)
            WritePoison(Instruction(insns, index + 1));
        WritePoison(Instruction(insns, index));
    }

    private static void WritePoison(Span<byte> insn)
    {
        insn[0] = ClassJmp | CallOp;
        insn[1] = 0;
        BinaryPrimitives.WriteInt16LittleEndian(insn.Slice(2), 0);
        BinaryPrimitives.WriteInt32LittleEndian(insn.Slice(4), PoisonHelper);
    }

    private static Span<byte> Instruction(Span<byte> insns, int index)
    {
        if (index < 0 || (long)index * 8 + 8 > insns.Length)
            throw new CoreError($"instruction #{index} is outside the program ({insns.Length / 8} instructions)");
        return insns.Slice(index * 8, 8);
    }
}
