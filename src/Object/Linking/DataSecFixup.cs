using System;
using System.Collections.Generic;
using Ebpf.Btf;
using Ebpf.Object.Elf;

namespace Ebpf.Object.Linking
{
    /// <summary>
    /// Completes the DATASEC types of an object's BTF from the ELF, as libbpf does before loading.
    /// </summary>
    /// <remarks>
    /// clang does not know a section's final size or a global's final offset when it emits BTF (they are only
    /// settled by the assembler, after BTF is generated), so it writes DATASEC size 0 and leaves every variable's
    /// offset 0. The kernel rejects a DATASEC of size 0 at BPF_BTF_LOAD, and the skeleton needs the real
    /// offsets, so: a DATASEC with size 0 gets the size of the ELF section of the same name, and each of its
    /// variables the value (offset) of its ELF symbol in that section. A DATASEC that already has a size (the
    /// output of bpftool/libbpf's static linker, which fills them in) is trusted and only checked. Entries are
    /// then sorted by offset, as the kernel requires. The extern sections .kconfig and .ksyms have no ELF
    /// section to take sizes from; they are left as they are.
    /// </remarks>
    internal static class DataSecFixup
    {
        public static BtfSpec Apply(BtfSpec btf, ElfFile elf)
        {
            byte[]? patched = null;
            var le = btf.IsLittleEndian;
            for (var id = btf.FirstTypeId; id < (uint)btf.Count; id++)
            {
                if (btf[id] is not BtfDataSec ds || ds.Name == ".kconfig" || ds.Name == ".ksyms")
                    continue;
                var section = elf.FindSection(ds.Name);
                if (section is null)
                    continue;
                var fixOffsets = ds.Size == 0;
                if (section.Size > uint.MaxValue)
                    throw new ObjectFormatException($"ELF section '{section.Name}' is {section.Size} bytes, larger than BTF can describe");
                var size = fixOffsets ? (uint)section.Size : ds.Size;
                var entries = new List<(uint Type, uint Offset, uint Size)>(ds.Vars.Count);
                foreach (var v in ds.Vars)
                {
                    var offset = v.Offset;
                    if (fixOffsets)
                    {
                        if (btf[v.TypeId] is not BtfVar variable)
                            throw new ObjectFormatException($"BTF DATASEC '{ds.Name}' [{id}]: entry type [{v.TypeId}] is a {btf[v.TypeId].Kind}, expected a VAR");
                        var symbol = elf.FindDataSymbol(section.Index, variable.Name)
                            ?? throw new ObjectFormatException($"BTF DATASEC '{ds.Name}' [{id}]: variable '{variable.Name}' has no ELF symbol in section '{section.Name}'");
                        if (symbol.Value > uint.MaxValue)
                            throw new ObjectFormatException($"ELF symbol '{symbol.Name}' has value {symbol.Value}, beyond section '{section.Name}'");
                        offset = (uint)symbol.Value;
                    }
                    if ((ulong)offset + v.Size > size)
                        throw new ObjectFormatException($"BTF DATASEC '{ds.Name}' [{id}]: variable at offset {offset} of size {v.Size} runs past the section's {size} bytes");
                    entries.Add((v.TypeId, offset, v.Size));
                }
                var sorted = new List<(uint Type, uint Offset, uint Size)>(entries);
                sorted.Sort((a, b) => a.Offset.CompareTo(b.Offset));
                if (!fixOffsets && SameOrder(entries, sorted))
                    continue;
                patched ??= (byte[])btf.RawBytes.Clone();
                var record = (int)btf.RecordOffset(id);
                Bytes.WriteU32(patched, record + 8, size, le);
                for (var i = 0; i < sorted.Count; i++)
                {
                    var at = record + 12 + i * 12;
                    Bytes.WriteU32(patched, at, sorted[i].Type, le);
                    Bytes.WriteU32(patched, at + 4, sorted[i].Offset, le);
                    Bytes.WriteU32(patched, at + 8, sorted[i].Size, le);
                }
            }
            return patched is null ? btf : BtfSpec.Parse(patched, le);
        }

        private static bool SameOrder(List<(uint Type, uint Offset, uint Size)> a, List<(uint Type, uint Offset, uint Size)> b)
        {
            for (var i = 0; i < a.Count; i++)
                if (a[i] != b[i])
                    return false;
            return true;
        }
    }
}
