using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using Ebpf.Object;
using Ebpf.Object.Elf;

namespace Ebpf.Btf
{
    /// <summary>
    /// Decodes the BTF wire format (kernel Documentation/bpf/btf.rst): a header, a type section of
    /// variable-length records and a string section. Each record's full extent is bounds-checked before it is
    /// read, and every type id a record refers to must exist, so later walks over the graph (which are also
    /// cycle-guarded) never index out of range. Error messages are only formatted when there is an error:
    /// vmlinux has over a hundred thousand records.
    /// </summary>
    internal static class BtfReader
    {
        private const ushort Magic = 0xEB9F;
        private const int MinHeaderLength = 24;
        private const uint TypeHeaderLength = 12;

        public static BtfSpec Read(ReadOnlySpan<byte> btf, bool littleEndian, BtfSpec? baseSpec)
        {
            if (btf.Length < MinHeaderLength)
                throw new ObjectFormatException($"BTF: {btf.Length} bytes is shorter than the {MinHeaderLength}-byte header");
            bool le;
            if (Bytes.U16(btf, 0, true, "BTF magic") == Magic) le = true;
            else if (Bytes.U16(btf, 0, false, "BTF magic") == Magic) le = false;
            else throw new ObjectFormatException($"BTF: bad magic 0x{btf[0]:x2}{btf[1]:x2} at offset 0 (expected 0xeb9f)");
            if (le != littleEndian)
                throw new ObjectFormatException($"BTF: the data is {(le ? "little" : "big")}-endian but its container is {(littleEndian ? "little" : "big")}-endian");
            var version = btf[2];
            if (version != 1)
                throw new ObjectFormatException($"BTF: unsupported version {version} at offset 2 (expected 1)");
            var hdrLen = Bytes.U32(btf, 4, le, "BTF header hdr_len");
            if (hdrLen < MinHeaderLength || hdrLen > (uint)btf.Length)
                throw new ObjectFormatException($"BTF: header length {hdrLen} at offset 4 is outside [{MinHeaderLength}, {btf.Length}]");
            var typeOff = Bytes.U32(btf, 8, le, "BTF header type_off");
            var typeLen = Bytes.U32(btf, 12, le, "BTF header type_len");
            var strOff = Bytes.U32(btf, 16, le, "BTF header str_off");
            var strLen = Bytes.U32(btf, 20, le, "BTF header str_len");
            var body = btf.Slice((int)hdrLen);
            var typeSection = Bytes.Slice(body, typeOff, typeLen, "BTF type section (type_off/type_len)");
            var stringSection = Bytes.Slice(body, strOff, strLen, "BTF string section (str_off/str_len)");
            if (typeLen % 4 != 0)
                throw new ObjectFormatException($"BTF: type section length {typeLen} is not a multiple of 4");
            if (strLen == 0 && baseSpec is null)
                throw new ObjectFormatException("BTF: the string section is empty (it must hold at least the empty string)");
            if (strLen > 0 && (stringSection[0] != 0 && baseSpec is null || stringSection[stringSection.Length - 1] != 0))
                throw new ObjectFormatException("BTF: the string section must start (standalone BTF) and end with a NUL byte");

            var strings = stringSection.ToArray();
            var names = new NameTable(strings, baseSpec);
            var firstId = baseSpec is null ? 1u : (uint)baseSpec.Count;
            var types = new List<BtfType>();
            var offsets = new List<uint>();
            var refs = new List<(uint From, uint To)>();
            var r = new Reader(typeSection, le);
            uint off = 0;
            while (off < typeLen)
            {
                var id = firstId + (uint)types.Count;
                if (typeLen - off < TypeHeaderLength)
                    throw Error(id, off, "the type header runs past the end of the type section");
                var info = r.U32(off + 4);
                var sizeOrType = r.U32(off + 8);
                var vlen = (int)(info & 0xffff);
                var kind = (BtfKind)((info >> 24) & 0x1f);
                var kflag = (info >> 31) != 0;
                var extra = off + TypeHeaderLength;
                var extraLen = ExtraLength(kind, vlen, id, off);
                if (extraLen > typeLen - extra)
                    throw Error(id, off, $"the {kind} record ({extraLen} bytes after the header) runs past the end of the type section");
                var name = names.Get(r.U32(off), id, off);
                BtfType type;
                switch (kind)
                {
                    case BtfKind.Int:
                    {
                        var enc = r.U32(extra);
                        var bits = enc & 0xff;
                        var bitOffset = (enc >> 16) & 0xff;
                        var encoding = (enc >> 24) & 0xf;
                        if (sizeOrType is not (1 or 2 or 4 or 8 or 16))
                            throw Error(id, off, $"int '{name}' has size {sizeOrType} (expected 1, 2, 4, 8 or 16)");
                        if (bits == 0 || bits + bitOffset > sizeOrType * 8)
                            throw Error(id, off, $"int '{name}' has {bits} bits at bit offset {bitOffset}, which do not fit its {sizeOrType} bytes");
                        type = new BtfInt(id, name, sizeOrType, bits, bitOffset, (encoding & 1) != 0, (encoding & 2) != 0, (encoding & 4) != 0);
                        break;
                    }
                    case BtfKind.Ptr:
                        refs.Add((id, sizeOrType));
                        type = new BtfPtr(id, name, sizeOrType);
                        break;
                    case BtfKind.Array:
                    {
                        var elem = r.U32(extra);
                        var index = r.U32(extra + 4);
                        refs.Add((id, elem));
                        refs.Add((id, index));
                        type = new BtfArray(id, name, elem, index, r.U32(extra + 8));
                        break;
                    }
                    case BtfKind.Struct:
                    case BtfKind.Union:
                    {
                        var members = new BtfMember[vlen];
                        for (var i = 0; i < vlen; i++)
                        {
                            var m = extra + (uint)i * 12;
                            var mType = r.U32(m + 4);
                            var mOff = r.U32(m + 8);
                            refs.Add((id, mType));
                            var mName = names.Get(r.U32(m), id, off);
                            members[i] = kflag
                                ? new BtfMember(mName, mType, mOff & 0xffffff, mOff >> 24)
                                : new BtfMember(mName, mType, mOff, 0);
                        }
                        type = new BtfComposite(id, name, kind == BtfKind.Union, sizeOrType, members);
                        break;
                    }
                    case BtfKind.Enum:
                    case BtfKind.Enum64:
                    {
                        if (sizeOrType is not (1 or 2 or 4 or 8))
                            throw Error(id, off, $"enum '{name}' has size {sizeOrType} (expected 1, 2, 4 or 8)");
                        var stride = kind == BtfKind.Enum ? 8u : 12u;
                        var values = new BtfEnumValue[vlen];
                        for (var i = 0; i < vlen; i++)
                        {
                            var e = extra + (uint)i * stride;
                            var eName = names.Get(r.U32(e), id, off);
                            var lo = r.U32(e + 4);
                            long value = kind == BtfKind.Enum
                                ? (kflag ? unchecked((int)lo) : (long)lo)
                                : unchecked((long)(((ulong)r.U32(e + 8) << 32) | lo));
                            values[i] = new BtfEnumValue(eName, value);
                        }
                        type = new BtfEnum(id, name, kind, sizeOrType, kflag, values);
                        break;
                    }
                    case BtfKind.Fwd:
                        type = new BtfFwd(id, name, kflag);
                        break;
                    case BtfKind.Typedef:
                    case BtfKind.Volatile:
                    case BtfKind.Const:
                    case BtfKind.Restrict:
                    case BtfKind.TypeTag:
                        refs.Add((id, sizeOrType));
                        type = new BtfRef(id, name, kind, sizeOrType);
                        break;
                    case BtfKind.Func:
                        if (vlen > 2)
                            throw Error(id, off, $"func '{name}' has linkage {vlen} (expected 0 static, 1 global or 2 extern)");
                        refs.Add((id, sizeOrType));
                        type = new BtfFunc(id, name, sizeOrType, (uint)vlen);
                        break;
                    case BtfKind.FuncProto:
                    {
                        refs.Add((id, sizeOrType));
                        var ps = new BtfParam[vlen];
                        for (var i = 0; i < vlen; i++)
                        {
                            var p = extra + (uint)i * 8;
                            var pType = r.U32(p + 4);
                            refs.Add((id, pType));
                            ps[i] = new BtfParam(names.Get(r.U32(p), id, off), pType);
                        }
                        type = new BtfFuncProto(id, name, sizeOrType, ps);
                        break;
                    }
                    case BtfKind.Var:
                        refs.Add((id, sizeOrType));
                        type = new BtfVar(id, name, sizeOrType, r.U32(extra));
                        break;
                    case BtfKind.DataSec:
                    {
                        var vars = new BtfVarSecInfo[vlen];
                        for (var i = 0; i < vlen; i++)
                        {
                            var v = extra + (uint)i * 12;
                            var vType = r.U32(v);
                            refs.Add((id, vType));
                            vars[i] = new BtfVarSecInfo(vType, r.U32(v + 4), r.U32(v + 8));
                        }
                        type = new BtfDataSec(id, name, sizeOrType, vars);
                        break;
                    }
                    case BtfKind.Float:
                        if (sizeOrType is not (2 or 4 or 8 or 12 or 16))
                            throw Error(id, off, $"float '{name}' has size {sizeOrType} (expected 2, 4, 8, 12 or 16)");
                        type = new BtfFloat(id, name, sizeOrType);
                        break;
                    case BtfKind.DeclTag:
                    {
                        var component = unchecked((int)r.U32(extra));
                        if (component < -1)
                            throw Error(id, off, $"decl_tag component index {component} is below -1");
                        refs.Add((id, sizeOrType));
                        type = new BtfDeclTag(id, name, sizeOrType, component);
                        break;
                    }
                    default:
                        throw Error(id, off, $"unknown BTF kind {(int)kind}");
                }
                types.Add(type);
                offsets.Add(hdrLen + typeOff + off);
                off = extra + extraLen;
            }

            var count = firstId + (uint)types.Count;
            foreach (var (from, to) in refs)
                if (to >= count)
                    throw new ObjectFormatException($"BTF: {types[(int)(from - firstId)]} refers to type id {to}, but the BTF only has ids below {count}");

            return new BtfSpec(btf.ToArray(), le, baseSpec, types.ToArray(), strings, offsets.ToArray());
        }

        /// <summary>Bytes that follow the 12-byte header of a record of this kind.</summary>
        private static uint ExtraLength(BtfKind kind, int vlen, uint id, uint off) => kind switch
        {
            BtfKind.Int or BtfKind.Var or BtfKind.DeclTag => 4,
            BtfKind.Array => 12,
            BtfKind.Struct or BtfKind.Union or BtfKind.DataSec or BtfKind.Enum64 => (uint)vlen * 12,
            BtfKind.Enum or BtfKind.FuncProto => (uint)vlen * 8,
            BtfKind.Ptr or BtfKind.Fwd or BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict
                or BtfKind.Func or BtfKind.Float or BtfKind.TypeTag => 0,
            _ => throw Error(id, off, $"unknown BTF kind {(int)kind}"),
        };

        private static ObjectFormatException Error(uint id, uint off, string what) =>
            new ObjectFormatException($"BTF type [{id}] at type-section offset {off}: {what}");

        /// <summary>Reads u32s inside a record whose extent was already checked.</summary>
        private readonly ref struct Reader
        {
            private readonly ReadOnlySpan<byte> data;
            private readonly bool le;

            public Reader(ReadOnlySpan<byte> data, bool le)
            {
                this.data = data;
                this.le = le;
            }

            public uint U32(uint at) => le
                ? BinaryPrimitives.ReadUInt32LittleEndian(data.Slice((int)at, 4))
                : BinaryPrimitives.ReadUInt32BigEndian(data.Slice((int)at, 4));
        }

        /// <summary>Decodes names once per offset: vmlinux repeats member names many thousands of times.</summary>
        private sealed class NameTable
        {
            private readonly byte[] strings;
            private readonly BtfSpec? baseSpec;
            private readonly uint baseLength;
            private readonly Dictionary<uint, string> cache = new Dictionary<uint, string>();

            public NameTable(byte[] strings, BtfSpec? baseSpec)
            {
                this.strings = strings;
                this.baseSpec = baseSpec;
                baseLength = baseSpec?.StringsLength ?? 0;
            }

            public string Get(uint offset, uint id, uint off)
            {
                if (offset == 0 && baseSpec is null)
                    return "";
                if (cache.TryGetValue(offset, out var s))
                    return s;
                try
                {
                    s = baseSpec is not null && offset < baseLength
                        ? baseSpec.GetString(offset)
                        : Bytes.CString(strings, offset - baseLength, "name");
                }
                catch (ObjectFormatException e)
                {
                    throw Error(id, off, e.Message);
                }
                cache.Add(offset, s);
                return s;
            }
        }
    }
}
