namespace Ebpf.Object
{
    /// <summary>
    /// One instruction of a linked program that the loader must patch.
    /// <paramref name="InstructionIndex"/> is the index of the instruction (8-byte unit) in <see cref="ProgramSpec.Instructions"/>.
    /// <paramref name="Symbol"/> is the map name (Map), the data map name, e.g. ".bss" (MapValue), or the kernel
    /// function/variable name (Kfunc/Extern). <paramref name="Offset"/> is the byte offset into the data map (MapValue), the offset in the .kconfig map value (Extern of a .kconfig variable), else 0.
    /// <paramref name="Weak"/>: the extern is declared <c>__weak</c> (Kfunc/Extern), so a kernel without it is not an error:
    /// the loader writes 0 for its address and makes its calls ones the verifier refuses only where they are reachable.
    /// </summary>
    internal readonly record struct InstructionReference(int InstructionIndex, ReferenceKind Kind, string Symbol, uint Offset, bool Weak = false);
}
