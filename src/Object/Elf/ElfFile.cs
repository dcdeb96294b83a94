using System;
using System.Collections.Generic;

namespace Ebpf.Object.Elf
{
    /// <summary>
    /// An ELF64 relocatable object for EM_BPF, in either byte order: section headers, section names, the
    /// symbol table and REL relocation sections. Everything is validated against the input's size when read.
    /// </summary>
    internal sealed class ElfFile
    {
        public const ushort MachineBpf = 247;
        private const int HeaderSize = 64;
        private const int SectionHeaderSize = 64;
        private const int SymbolSize = 24;
        private const int RelSize = 16;
        private const ushort ShnXIndex = 0xffff;

        private ElfFile(byte[] data, bool le, ElfSection[] sections, ElfSymbol[] symbols)
        {
            Data = data;
            IsLittleEndian = le;
            Sections = sections;
            Symbols = symbols;
        }

        public byte[] Data { get; }

        public bool IsLittleEndian { get; }

        /// <summary>All sections by index; index 0 is the null section.</summary>
        public IReadOnlyList<ElfSection> Sections { get; }

        /// <summary>The symbol table by index; index 0 is the null symbol. Empty when the object has no SHT_SYMTAB.</summary>
        public IReadOnlyList<ElfSymbol> Symbols { get; }

        public ReadOnlySpan<byte> SectionData(ElfSection s) =>
            s.Type == ElfSectionType.NoBits ? ReadOnlySpan<byte>.Empty : new ReadOnlySpan<byte>(Data, (int)s.Offset, (int)s.Size);

        private Dictionary<string, ElfSection>? sectionsByName;
        private Dictionary<int, List<ElfSymbol>>? symbolsBySection;
        private Dictionary<(int, string), ElfSymbol>? dataSymbols;

        /// <summary>The first section with that name. Indexed once, so lookups stay linear overall even for hostile inputs.</summary>
        public ElfSection? FindSection(string name)
        {
            if (sectionsByName is null)
            {
                sectionsByName = new Dictionary<string, ElfSection>(StringComparer.Ordinal);
                foreach (var s in Sections)
                    if (s.Index != 0 && !sectionsByName.ContainsKey(s.Name))
                        sectionsByName.Add(s.Name, s);
            }
            return sectionsByName.TryGetValue(name, out var found) ? found : null;
        }

        /// <summary>The symbols defined in a section, in symbol-table order.</summary>
        public IReadOnlyList<ElfSymbol> SymbolsIn(int sectionIndex)
        {
            if (symbolsBySection is null)
            {
                symbolsBySection = new Dictionary<int, List<ElfSymbol>>();
                foreach (var sym in Symbols)
                {
                    if (!symbolsBySection.TryGetValue(sym.SectionIndex, out var list))
                        symbolsBySection.Add(sym.SectionIndex, list = new List<ElfSymbol>());
                    list.Add(sym);
                }
            }
            return symbolsBySection.TryGetValue(sectionIndex, out var found) ? found : (IReadOnlyList<ElfSymbol>)Array.Empty<ElfSymbol>();
        }

        /// <summary>The first OBJECT (or untyped) symbol with that name in a section: a global variable.</summary>
        public ElfSymbol? FindDataSymbol(int sectionIndex, string name)
        {
            if (dataSymbols is null)
            {
                dataSymbols = new Dictionary<(int, string), ElfSymbol>();
                foreach (var sym in Symbols)
                    if (sym.Type is ElfSymbolType.Object or ElfSymbolType.NoType && !dataSymbols.ContainsKey((sym.SectionIndex, sym.Name)))
                        dataSymbols.Add((sym.SectionIndex, sym.Name), sym);
            }
            return dataSymbols.TryGetValue((sectionIndex, name), out var found) ? found : null;
        }

        public static ElfFile Parse(ReadOnlySpan<byte> input)
        {
            if (input.Length < HeaderSize)
                throw new ObjectFormatException($"ELF: {input.Length} bytes is shorter than the {HeaderSize}-byte ELF64 header");
            if (input[0] != 0x7f || input[1] != (byte)'E' || input[2] != (byte)'L' || input[3] != (byte)'F')
                throw new ObjectFormatException("ELF: bad magic at offset 0 (expected 7f 45 4c 46); this is not an ELF object");
            if (input[4] != 2)
                throw new ObjectFormatException($"ELF: class {input[4]} at offset 4 is not ELFCLASS64 (2); BPF objects are 64-bit");
            bool le = input[5] switch
            {
                1 => true,
                2 => false,
                _ => throw new ObjectFormatException($"ELF: data encoding {input[5]} at offset 5 is neither little (1) nor big (2) endian"),
            };
            if (input[6] != 1)
                throw new ObjectFormatException($"ELF: identification version {input[6]} at offset 6 is not 1");
            var type = Bytes.U16(input, 16, le, "ELF header e_type");
            if (type != 1)
                throw new ObjectFormatException($"ELF: e_type {type} is not ET_REL (1); expected a relocatable object from clang -c");
            var machine = Bytes.U16(input, 18, le, "ELF header e_machine");
            if (machine != MachineBpf)
                throw new ObjectFormatException($"ELF: e_machine {machine} is not EM_BPF ({MachineBpf}); compile with clang -target bpf");
            var shoff = Bytes.U64(input, 40, le, "ELF header e_shoff");
            var shentsize = Bytes.U16(input, 58, le, "ELF header e_shentsize");
            ulong shnum = Bytes.U16(input, 60, le, "ELF header e_shnum");
            uint shstrndx = Bytes.U16(input, 62, le, "ELF header e_shstrndx");
            if (shoff == 0)
                throw new ObjectFormatException("ELF: the object has no section header table (e_shoff is 0)");
            if (shentsize != SectionHeaderSize)
                throw new ObjectFormatException($"ELF: e_shentsize {shentsize} is not {SectionHeaderSize}");
            // Extended numbering: with 0xff00 or more sections, the real counts live in section 0.
            if (shnum == 0)
                shnum = Bytes.U64(input, shoff + 32, le, "ELF section 0 sh_size (extended section count)");
            if (shstrndx == ShnXIndex)
                shstrndx = Bytes.U32(input, shoff + 40, le, "ELF section 0 sh_link (extended string table index)");
            if (shnum == 0 || shnum > (ulong)input.Length / SectionHeaderSize)
                throw new ObjectFormatException($"ELF: section count {shnum} does not fit a {input.Length}-byte file");
            Bytes.Slice(input, shoff, shnum * SectionHeaderSize, "ELF section header table");

            var count = (int)shnum;
            var raw = new RawSection[count];
            for (var i = 0; i < count; i++)
            {
                var at = shoff + (ulong)i * SectionHeaderSize;
                var what = $"ELF section header {i}";
                raw[i] = new RawSection(
                    Bytes.U32(input, at, le, what),
                    (ElfSectionType)Bytes.U32(input, at + 4, le, what),
                    Bytes.U64(input, at + 8, le, what),
                    Bytes.U64(input, at + 24, le, what),
                    Bytes.U64(input, at + 32, le, what),
                    Bytes.U32(input, at + 40, le, what),
                    Bytes.U32(input, at + 44, le, what),
                    Bytes.U64(input, at + 56, le, what));
                if (i != 0 && raw[i].Type != ElfSectionType.NoBits)
                    Bytes.Slice(input, raw[i].Offset, raw[i].Size, $"ELF section {i} contents (sh_offset/sh_size)");
            }
            if (shstrndx == 0 || shstrndx >= shnum)
                throw new ObjectFormatException($"ELF: section name table index {shstrndx} is out of range (the object has {shnum} sections)");
            var shstr = raw[shstrndx];
            if (shstr.Type != ElfSectionType.StrTab)
                throw new ObjectFormatException($"ELF: section {shstrndx} named by e_shstrndx is not a string table (type {(uint)shstr.Type})");
            var names = input.Slice((int)shstr.Offset, (int)shstr.Size);

            var sections = new ElfSection[count];
            for (var i = 0; i < count; i++)
            {
                var r = raw[i];
                var name = i == 0 ? "" : Bytes.CString(names, r.Name, $"ELF section {i} name");
                sections[i] = new ElfSection(i, name, r.Type, r.Flags, r.Offset, r.Size, r.Link, r.Info, r.EntSize);
            }

            var symbols = ReadSymbols(input, le, sections);
            return new ElfFile(input.ToArray(), le, sections, symbols);
        }

        private static ElfSymbol[] ReadSymbols(ReadOnlySpan<byte> input, bool le, ElfSection[] sections)
        {
            ElfSection? symtab = null;
            foreach (var s in sections)
            {
                if (s.Type != ElfSectionType.SymTab)
                    continue;
                if (symtab is not null)
                    throw new ObjectFormatException($"ELF: sections {symtab.Index} and {s.Index} are both symbol tables; expected one");
                symtab = s;
            }
            if (symtab is null)
                return Array.Empty<ElfSymbol>();
            if (symtab.EntSize != SymbolSize || symtab.Size % SymbolSize != 0)
                throw new ObjectFormatException($"ELF: symbol table '{symtab.Name}' has entry size {symtab.EntSize} and size {symtab.Size}; expected {SymbolSize}-byte entries");
            if (symtab.Link == 0 || symtab.Link >= (uint)sections.Length || sections[symtab.Link].Type != ElfSectionType.StrTab)
                throw new ObjectFormatException($"ELF: symbol table '{symtab.Name}' links to section {symtab.Link}, which is not a string table");
            var strtab = sections[symtab.Link];
            var strings = input.Slice((int)strtab.Offset, (int)strtab.Size);
            var data = input.Slice((int)symtab.Offset, (int)symtab.Size);
            var n = (int)(symtab.Size / SymbolSize);
            var symbols = new ElfSymbol[n];
            for (var i = 0; i < n; i++)
            {
                var at = (ulong)i * SymbolSize;
                var what = $"ELF symbol {i}";
                var nameOff = Bytes.U32(data, at, le, what);
                var info = data[(int)at + 4];
                var other = data[(int)at + 5];
                var shndx = Bytes.U16(data, at + 6, le, what);
                var value = Bytes.U64(data, at + 8, le, what);
                var size = Bytes.U64(data, at + 16, le, what);
                var name = i == 0 ? "" : Bytes.CString(strings, nameOff, what + " name");
                if (shndx == ShnXIndex)
                    throw new ObjectFormatException($"ELF: symbol {i} ('{name}') uses extended section indices (SHN_XINDEX), which BPF objects never need");
                if (shndx != 0 && shndx < ElfSymbol.ShnLoReserve && shndx >= sections.Length)
                    throw new ObjectFormatException($"ELF: symbol {i} ('{name}') refers to section {shndx}, but the object has {sections.Length} sections");
                symbols[i] = new ElfSymbol(i, name, value, size, (ElfSymbolBinding)(info >> 4), (ElfSymbolType)(info & 0xf), other & 3, shndx);
            }
            return symbols;
        }

        /// <summary>The entries of a SHT_REL section, checked against the symbol table.</summary>
        public ElfRelocation[] ReadRelocations(ElfSection rel)
        {
            if (rel.Type == ElfSectionType.Rela)
                throw new ObjectFormatException($"ELF: relocation section '{rel.Name}' is SHT_RELA; BPF objects use SHT_REL (is this object really from clang -target bpf?)");
            if (rel.EntSize != RelSize || rel.Size % RelSize != 0)
                throw new ObjectFormatException($"ELF: relocation section '{rel.Name}' has entry size {rel.EntSize} and size {rel.Size}; expected {RelSize}-byte Elf64_Rel entries");
            var data = SectionData(rel);
            var n = (int)(rel.Size / RelSize);
            var result = new ElfRelocation[n];
            for (var i = 0; i < n; i++)
            {
                var what = $"ELF relocation section '{rel.Name}' entry {i}";
                var offset = Bytes.U64(data, (ulong)i * RelSize, IsLittleEndian, what);
                var info = Bytes.U64(data, (ulong)i * RelSize + 8, IsLittleEndian, what);
                var sym = info >> 32;
                if (sym == 0 || sym >= (ulong)Symbols.Count)
                    throw new ObjectFormatException($"{what}: symbol index {sym} is outside the symbol table ({Symbols.Count} symbols)");
                result[i] = new ElfRelocation(offset, (int)sym, (uint)info);
            }
            return result;
        }

        /// <summary>A section header as stored: the name is still an offset into the section-name table.</summary>
        private readonly record struct RawSection(uint Name, ElfSectionType Type, ulong Flags, ulong Offset, ulong Size, uint Link, uint Info, ulong EntSize);
    }
}
