using Ebpf.Btf;
using Ebpf.Object.Elf;

namespace Ebpf.Object.Linking
{
    /// <summary>
    /// Global functions and variables with hidden (or internal) ELF visibility (<c>__hidden</c>) are marked
    /// static in BTF, as libbpf does: a static function is verified in its caller's context instead of on its
    /// own (the more permissive mode the author asked for by hiding it), and a static variable is not part of
    /// the skeleton's API (<see cref="VariableSpec.IsGlobal"/> is false).
    /// </summary>
    internal static class VisibilityFixup
    {
        public static BtfSpec Apply(BtfSpec btf, ElfFile elf)
        {
            byte[]? patched = null;
            var le = btf.IsLittleEndian;
            foreach (var sym in elf.Symbols)
            {
                if (sym.Binding == ElfSymbolBinding.Local || sym.IsExtern || sym.Name.Length == 0
                    || sym.Visibility is not (ElfSymbol.VisibilityHidden or ElfSymbol.VisibilityInternal))
                    continue;
                foreach (var t in btf.FindByName(sym.Name))
                {
                    if (t.Id < btf.FirstTypeId)
                        continue;
                    var record = (int)btf.RecordOffset(t.Id);
                    if (sym.Type == ElfSymbolType.Func && t is BtfFunc { Linkage: not 0 })
                    {
                        patched ??= (byte[])btf.RawBytes.Clone();
                        var info = Bytes.U32(patched, (ulong)record + 4, le, "BTF func info");
                        Bytes.WriteU32(patched, record + 4, info & ~0xffffu, le);   // linkage: static
                    }
                    else if (sym.Type == ElfSymbolType.Object && t is BtfVar { Linkage: 1 })
                    {
                        patched ??= (byte[])btf.RawBytes.Clone();
                        Bytes.WriteU32(patched, record + 12, 0, le);                // linkage: static
                    }
                }
            }
            return patched is null ? btf : BtfSpec.Parse(patched, le);
        }
    }
}
