namespace Ebpf.Object
{
    /// <summary>What an <see cref="InstructionReference"/> points at, i.e. how the loader patches the instruction.</summary>
    public enum ReferenceKind
    {
        /// <summary>ld_imm64 of a map: the loader sets src_reg = BPF_PSEUDO_MAP_FD and imm = the map's fd.</summary>
        Map,
        /// <summary>ld_imm64 of a global: src_reg = BPF_PSEUDO_MAP_VALUE, imm = the data map's fd, next imm = <see cref="InstructionReference.Offset"/>.</summary>
        MapValue,
        /// <summary>call of an extern kernel function (kfunc): resolve the BTF id of the symbol in the kernel's BTF.</summary>
        Kfunc,
        /// <summary>ld_imm64 of an extern variable (<c>.kconfig</c> / <c>.ksyms</c>).</summary>
        Extern,
    }

    /// <summary>
    /// One instruction of a linked program that the loader must patch.
    /// <paramref name="InstructionIndex"/> is the index of the instruction (8-byte unit) in <see cref="ProgramSpec.Instructions"/>.
    /// <paramref name="Symbol"/> is the map name (Map), the data map name, e.g. ".bss" (MapValue), or the kernel
    /// function/variable name (Kfunc/Extern). <paramref name="Offset"/> is the byte offset into the data map (MapValue), else 0.
    /// </summary>
    public readonly record struct InstructionReference(int InstructionIndex, ReferenceKind Kind, string Symbol, uint Offset);
}
