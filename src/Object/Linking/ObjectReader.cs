using System;
using System.Collections.Generic;
using Ebpf.Btf;
using Ebpf.Object.Elf;

namespace Ebpf.Object.Linking
{
    /// <summary>Reads a BPF ELF object into an <see cref="ObjectSpec"/>, in the order libbpf's bpf_object__open does.</summary>
    internal static class ObjectReader
    {
        public static ObjectSpec Read(ReadOnlySpan<byte> input)
        {
            try
            {
                return ReadChecked(input);
            }
            catch (ObjectFormatException)
            {
                throw;
            }
            catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException
                                       or InvalidCastException or KeyNotFoundException or NullReferenceException)
            {
                // Every read is bounds-checked and every reference validated, so this is a bug in the reader; it
                // still must not escape as anything but a format error, which callers know how to report.
                throw new ObjectFormatException($"malformed object: {e.GetType().Name}: {e.Message}", e);
            }
        }

        private static ObjectSpec ReadChecked(ReadOnlySpan<byte> input)
        {
            var elf = ElfFile.Parse(input);
            var le = elf.IsLittleEndian;
            if (elf.Symbols.Count == 0)
                throw new ObjectFormatException("ELF: the object has no symbol table (was it stripped?); programs and maps are found through symbols");

            var license = "";
            uint version = 0;
            BtfSpec? btf = null;
            ElfSection? btfExtSection = null;
            ElfSection? mapsSection = null;
            foreach (var s in elf.Sections)
            {
                switch (s.Name)
                {
                    case "license":
                        license = ReadLicense(elf.SectionData(s));
                        break;
                    case "version":
                        if (s.Size != 4)
                            throw new ObjectFormatException($"section 'version' is {s.Size} bytes; expected a 4-byte kernel version");
                        version = Bytes.U32(elf.SectionData(s), 0, le, "section 'version'");
                        break;
                    case "maps":
                        throw new ObjectFormatException("section 'maps' holds legacy struct bpf_map_def maps, which are not supported (libbpf 1.0 dropped them too): declare maps in SEC(\".maps\") with __uint/__type");
                    case ".maps":
                        mapsSection = s;
                        break;
                    case ".BTF":
                        if (s.Type != ElfSectionType.ProgBits)
                            throw new ObjectFormatException($"section '.BTF' has type {(uint)s.Type}, expected PROGBITS");
                        try { btf = BtfSpec.Parse(elf.SectionData(s), le); }
                        catch (ObjectFormatException e) { throw new ObjectFormatException($"section '.BTF': {e.Message}"); }
                        break;
                    case ".BTF.ext":
                        if (s.Type != ElfSectionType.ProgBits)
                            throw new ObjectFormatException($"section '.BTF.ext' has type {(uint)s.Type}, expected PROGBITS");
                        btfExtSection = s;
                        break;
                }
            }

            var kconfigOffsets = new Dictionary<string, uint>();
            if (btf is not null)
            {
                btf = DataSecFixup.Apply(btf, elf);
                btf = ExternFixup.Apply(btf, out kconfigOffsets);
                btf = VisibilityFixup.Apply(btf, elf);
            }
            BtfExt? ext = null;
            if (btfExtSection is not null)
            {
                if (btf is null)
                    throw new ObjectFormatException("the object has a '.BTF.ext' section but no '.BTF' section to resolve it against");
                ext = BtfExt.Parse(elf.SectionData(btfExtSection), le, btf);
            }

            var located = mapsSection is null ? new List<BtfMapReader.Located>() : BtfMapReader.Read(btf, mapsSection);
            var mapsByOffset = new Dictionary<ulong, string>();
            foreach (var l in located)
                mapsByOffset[l.Offset] = l.Map.Name;

            var data = DataSectionReader.Read(elf, btf);
            var dataByIndex = new Dictionary<int, string>();
            foreach (var (spec, section) in data)
                dataByIndex.Add(section.Index, spec.Name);

            var linker = new ProgramLinker(elf, btf, ext, mapsSection?.Index ?? -1, mapsByOffset, dataByIndex, kconfigOffsets);
            var programs = linker.Link(license, version);
            if (mapsSection is not null && btf is not null)
                BtfMapReader.ReadInitialSlots(elf, btf, mapsSection, located, linker.ProgramNames());

            var maps = new List<MapSpec>();
            foreach (var l in located)
                maps.Add(l.Map);
            var dataSections = new List<DataSectionSpec>();
            foreach (var (spec, _) in data)
            {
                dataSections.Add(spec);
                maps.Add(DataSectionReader.MapFor(spec));
            }
            return new ObjectSpec(le, license, version, maps, programs, dataSections, btf);
        }

        /// <summary>The license string: the section's bytes up to the first NUL (clang pads the array with NULs).</summary>
        private static string ReadLicense(ReadOnlySpan<byte> data)
        {
            var end = data.IndexOf((byte)0);
            return Bytes.Utf8(end < 0 ? data : data.Slice(0, end));
        }
    }
}
