namespace Ebpf.Object
{
    /// <summary>What an <see cref="InstructionReference"/> points at, i.e. how the loader patches the instruction.</summary>
    internal enum ReferenceKind
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
}
