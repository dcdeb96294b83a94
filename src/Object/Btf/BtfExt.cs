using System;
using System.Collections.Generic;
using Ebpf.Object;
using Ebpf.Object.Elf;

namespace Ebpf.Btf
{
    /// <summary>
    /// The ".BTF.ext" section: per ELF section, func_info, line_info and CO-RE relocation records. Offsets here
    /// are as in the object: byte offsets of instructions inside their ELF section. The record sizes come from
    /// the section itself (so newer, longer records still parse); names and access strings from the .BTF strings.
    /// </summary>
    internal sealed class BtfExt
    {
        private const ushort Magic = 0xEB9F;

        private BtfExt(Dictionary<string, List<RawRecord>> funcs, Dictionary<string, List<RawRecord>> lines, Dictionary<string, List<RawRecord>> relos)
        {
            FuncInfos = funcs;
            LineInfos = lines;
            CoreRelocations = relos;
        }

        /// <summary>Section name → func_info records (A = byte offset, B = FUNC type id).</summary>
        public IReadOnlyDictionary<string, List<RawRecord>> FuncInfos { get; }

        /// <summary>Section name → line_info records (A = byte offset, B = file name, C = line, D = line/col).</summary>
        public IReadOnlyDictionary<string, List<RawRecord>> LineInfos { get; }

        /// <summary>Section name → core_relo records (A = byte offset, B = type id, C = access string offset, D = kind).</summary>
        public IReadOnlyDictionary<string, List<RawRecord>> CoreRelocations { get; }

        /// <summary>One record, the first four u32 words (as many as the kind has).</summary>
        public readonly struct RawRecord
        {
            public RawRecord(uint a, uint b, uint c, uint d)
            {
                A = a;
                B = b;
                C = c;
                D = d;
            }

            public uint A { get; }
            public uint B { get; }
            public uint C { get; }
            public uint D { get; }
        }

        public static BtfExt Parse(ReadOnlySpan<byte> ext, bool le, BtfSpec btf)
        {
            if (ext.Length < 24)
                throw new ObjectFormatException($".BTF.ext: {ext.Length} bytes is shorter than the 24-byte header");
            if (Bytes.U16(ext, 0, le, ".BTF.ext magic") != Magic)
                throw new ObjectFormatException($".BTF.ext: bad magic 0x{ext[0]:x2}{ext[1]:x2} at offset 0 (expected 0xeb9f in the object's byte order)");
            if (ext[2] != 1)
                throw new ObjectFormatException($".BTF.ext: unsupported version {ext[2]} at offset 2 (expected 1)");
            var hdrLen = Bytes.U32(ext, 4, le, ".BTF.ext hdr_len");
            if (hdrLen < 24 || hdrLen > (uint)ext.Length)
                throw new ObjectFormatException($".BTF.ext: header length {hdrLen} is outside [24, {ext.Length}]");
            var body = ext.Slice((int)hdrLen);
            var funcs = ReadInfo(body, Bytes.U32(ext, 8, le, ".BTF.ext func_info_off"), Bytes.U32(ext, 12, le, ".BTF.ext func_info_len"), 8, "func_info", le, btf);
            var lines = ReadInfo(body, Bytes.U32(ext, 16, le, ".BTF.ext line_info_off"), Bytes.U32(ext, 20, le, ".BTF.ext line_info_len"), 16, "line_info", le, btf);
            var relos = new Dictionary<string, List<RawRecord>>(StringComparer.Ordinal);
            if (hdrLen >= 32)
                relos = ReadInfo(body, Bytes.U32(ext, 24, le, ".BTF.ext core_relo_off"), Bytes.U32(ext, 28, le, ".BTF.ext core_relo_len"), 16, "core_relo", le, btf);
            return new BtfExt(funcs, lines, relos);
        }

        /// <summary>
        /// One info sub-section: a u32 record size, then blocks of { u32 section name offset, u32 count, count records }.
        /// Every block consumes at least 8 bytes, so the loop ends within len / 8 iterations.
        /// </summary>
        private static Dictionary<string, List<RawRecord>> ReadInfo(ReadOnlySpan<byte> body, uint off, uint len, uint minRecord, string what, bool le, BtfSpec btf)
        {
            var result = new Dictionary<string, List<RawRecord>>(StringComparer.Ordinal);
            if (len == 0)
                return result;
            var data = Bytes.Slice(body, off, len, $".BTF.ext {what} (offset/length in the header)");
            var recordSize = Bytes.U32(data, 0, le, $".BTF.ext {what} record size");
            if (recordSize < minRecord || recordSize % 4 != 0 || recordSize > 1024)
                throw new ObjectFormatException($".BTF.ext {what}: record size {recordSize} is invalid (at least {minRecord}, a multiple of 4)");
            ulong at = 4;
            while (at < len)
            {
                var where = $".BTF.ext {what} block at offset {at}";
                var nameOff = Bytes.U32(data, at, le, where);
                var count = Bytes.U32(data, at + 4, le, where);
                string section;
                try { section = btf.GetString(nameOff); }
                catch (ObjectFormatException e) { throw new ObjectFormatException($"{where}: section name: {e.Message}"); }
                at += 8;
                var bytes = (ulong)count * recordSize;
                Bytes.Slice(data, at, bytes, $"{where} ({count} records of {recordSize} bytes for section '{section}')");
                if (!result.TryGetValue(section, out var list))
                    result.Add(section, list = new List<RawRecord>((int)count));
                for (uint i = 0; i < count; i++, at += recordSize)
                {
                    var a = Bytes.U32(data, at, le, where);
                    var b = Bytes.U32(data, at + 4, le, where);
                    var c = minRecord > 8 ? Bytes.U32(data, at + 8, le, where) : 0;
                    var d = minRecord > 12 ? Bytes.U32(data, at + 12, le, where) : 0;
                    if (a % 8 != 0)
                        throw new ObjectFormatException($"{where}: record {i} for section '{section}' has instruction offset {a}, not a multiple of 8");
                    list.Add(new RawRecord(a, b, c, d));
                }
            }
            // Sorted by instruction offset (stable), so the records of one function are found by binary search.
            foreach (var list in result.Values)
            {
                var indexed = new List<(RawRecord Record, int Index)>(list.Count);
                for (var i = 0; i < list.Count; i++)
                    indexed.Add((list[i], i));
                indexed.Sort((x, y) => x.Record.A != y.Record.A ? x.Record.A.CompareTo(y.Record.A) : x.Index.CompareTo(y.Index));
                for (var i = 0; i < list.Count; i++)
                    list[i] = indexed[i].Record;
            }
            return result;
        }

        /// <summary>The records of <paramref name="sorted"/> whose byte offset lies in [<paramref name="start"/>, <paramref name="end"/>).</summary>
        public static IEnumerable<RawRecord> InRange(List<RawRecord> sorted, ulong start, ulong end)
        {
            int lo = 0, hi = sorted.Count;
            while (lo < hi)
            {
                var mid = lo + (hi - lo) / 2;
                if (sorted[mid].A < start) lo = mid + 1; else hi = mid;
            }
            for (var i = lo; i < sorted.Count && sorted[i].A < end; i++)
                yield return sorted[i];
        }
    }
}
