using System;
using System.Collections.Generic;
using Ebpf.Btf;
using Ebpf.Object.Elf;

namespace Ebpf.Object.Linking
{
    /// <summary>Finds the global data sections (.rodata*, .data*, .bss*) and their variables, as libbpf does.</summary>
    internal static class DataSectionReader
    {
        private const ulong MaxDataSectionSize = 64 << 20;

        /// <summary>The kind of a data section from its name and type, or null when it is not one.</summary>
        public static DataSectionKind? Classify(ElfSection s)
        {
            if (s.Type == ElfSectionType.ProgBits && (s.Flags & ElfSection.FlagExec) == 0)
            {
                if (HasPrefix(s.Name, ".data")) return DataSectionKind.Data;
                if (HasPrefix(s.Name, ".rodata")) return DataSectionKind.ReadOnly;
            }
            if (s.Type == ElfSectionType.NoBits && HasPrefix(s.Name, ".bss"))
                return DataSectionKind.Bss;
            return null;
        }

        private static bool HasPrefix(string name, string prefix) =>
            name == prefix || name.StartsWith(prefix + ".", StringComparison.Ordinal);

        /// <summary>
        /// One <see cref="DataSectionSpec"/> per non-empty data section, in section order (libbpf skips empty
        /// ones too: there is nothing to map). Variables come from the section's DATASEC, already completed by
        /// <see cref="DataSecFixup"/>.
        /// </summary>
        public static List<(DataSectionSpec Spec, ElfSection Section)> Read(ElfFile elf, BtfSpec? btf)
        {
            var result = new List<(DataSectionSpec, ElfSection)>();
            foreach (var s in elf.Sections)
            {
                if (s.Index == 0 || s.Size == 0 || Classify(s) is not { } kind)
                    continue;
                // .bss occupies no file space, so its size is not bounded by the input: cap it well above what a
                // BPF array map value can be (KMALLOC_MAX_SIZE, a few MiB) instead of allocating whatever it claims.
                if (s.Size > MaxDataSectionSize)
                    throw new ObjectFormatException($"data section '{s.Name}' is {s.Size} bytes; a BPF array map value cannot be that large (limit {MaxDataSectionSize})");
                var initial = kind == DataSectionKind.Bss ? new byte[s.Size] : elf.SectionData(s).ToArray();
                var datasec = btf?.Find<BtfDataSec>(s.Name);
                var variables = new List<VariableSpec>();
                if (datasec is not null)
                {
                    foreach (var v in datasec.Vars)
                    {
                        if (btf![v.TypeId] is not BtfVar variable)
                            continue; // .ksyms can list FUNCs; data sections only hold VARs
                        if ((ulong)v.Offset + v.Size > s.Size)
                            throw new ObjectFormatException($"BTF DATASEC '{s.Name}': variable '{variable.Name}' at offset {v.Offset} of size {v.Size} runs past the section's {s.Size} bytes");
                        variables.Add(new VariableSpec(variable.Name, v.Offset, v.Size, variable.TypeId, btf.IsConst(variable.TypeId),
                                                       variable.Linkage != 0));
                    }
                    variables.Sort((a, b) => a.Offset.CompareTo(b.Offset));
                }
                result.Add((new DataSectionSpec(s.Name, kind, initial, datasec?.Id ?? 0, variables), s));
            }
            return result;
        }

        /// <summary>The map libbpf creates for a data section: a one-element array whose value is the section.</summary>
        public static MapSpec MapFor(DataSectionSpec data)
        {
            var flags = MapSpec.FlagMmapable | (data.Kind == DataSectionKind.ReadOnly ? MapSpec.FlagReadOnlyProg : 0);
            return new MapSpec(data.Name, MapType.Array, 4, data.Size, 1, flags, valueTypeId: data.DataSecTypeId, dataSection: data);
        }
    }
}
