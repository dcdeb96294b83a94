using System;
using System.Collections.Generic;
using Ebpf.Object;
using Ebpf.Object.Elf;

namespace Ebpf.Btf
{
    /// <summary>
    /// Decodes the BTF wire format (kernel Documentation/bpf/btf.rst): a header, a type section of
    /// variable-length records and a string section. Every record is bounds-checked and every type id a
    /// record refers to must exist, so later walks over the graph (which are also cycle-guarded) never index
    /// out of range.
    /// </summary>
    internal static class BtfReader
    {
        private const ushort Magic = 0xEB9F;
        private const int MinHeaderLength = 24;
        private const int TypeHeaderLength = 12;

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
            if (strLen > 0 && (stringSection[0] != 0 && baseSpec is null || stringSection[stringSection.Length - 1] != 0))
                throw new ObjectFormatException("BTF: the string section must start (standalone BTF) and end with a NUL byte");
            if (strLen == 0 && baseSpec is null)
                throw new ObjectFormatException("BTF: the string section is empty (it must hold at least the empty string)");

            var strings = stringSection.ToArray();
            var names = new NameTable(strings, baseSpec);
            var firstId = baseSpec is null ? 1u : (uint)baseSpec.Count;
            var types = new List<BtfType>();
            var offsets = new List<uint>();
            var refs = new List<(uint From, uint To, string What)>();
            uint off = 0;
            while (off < typeLen)
            {
                var id = firstId + (uint)types.Count;
                var where = $"BTF type [{id}] at type-section offset {off}";
                var nameOff = Bytes.U32(typeSection, off, le, where);
                var info = Bytes.U32(typeSection, off + 4, le, where);
                var sizeOrType = Bytes.U32(typeSection, off + 8, le, where);
                var vlen = (int)(info & 0xffff);
                var kind = (int)((info >> 24) & 0x1f);
                var kflag = (info >> 31) != 0;
                var name = names.Get(nameOff, where);
                var extra = off + TypeHeaderLength;
                uint extraLen;
                BtfType type;
                switch ((BtfKind)kind)
                {
                    case BtfKind.Int:
                    {
                        extraLen = 4;
                        var enc = Bytes.U32(typeSection, extra, le, where);
                        var bits = enc & 0xff;
                        var bitOffset = (enc >> 16) & 0xff;
                        var encoding = (enc >> 24) & 0xf;
                        if (sizeOrType is not (1 or 2 or 4 or 8 or 16))
                            throw new ObjectFormatException($"{where}: int '{name}' has size {sizeOrType} (expected 1, 2, 4, 8 or 16)");
                        if (bits == 0 || bits + bitOffset > sizeOrType * 8)
                            throw new ObjectFormatException($"{where}: int '{name}' has {bits} bits at bit offset {bitOffset}, which do not fit its {sizeOrType} bytes");
                        type = new BtfInt(id, name, sizeOrType, bits, bitOffset, (encoding & 1) != 0, (encoding & 2) != 0, (encoding & 4) != 0);
                        break;
                    }
                    case BtfKind.Ptr:
                        extraLen = 0;
                        refs.Add((id, sizeOrType, "pointer target"));
                        type = new BtfPtr(id, name, sizeOrType);
                        break;
                    case BtfKind.Array:
                    {
                        extraLen = 12;
                        var elem = Bytes.U32(typeSection, extra, le, where);
                        var index = Bytes.U32(typeSection, extra + 4, le, where);
                        var length = Bytes.U32(typeSection, extra + 8, le, where);
                        refs.Add((id, elem, "array element type"));
                        refs.Add((id, index, "array index type"));
                        type = new BtfArray(id, name, elem, index, length);
                        break;
                    }
                    case BtfKind.Struct:
                    case BtfKind.Union:
                    {
                        extraLen = (uint)vlen * 12;
                        Bytes.Slice(typeSection, extra, extraLen, where + " members");
                        var members = new BtfMember[vlen];
                        for (var i = 0; i < vlen; i++)
                        {
                            var m = extra + (uint)i * 12;
                            var mName = names.Get(Bytes.U32(typeSection, m, le, where), where + $" member {i}");
                            var mType = Bytes.U32(typeSection, m + 4, le, where);
                            var mOff = Bytes.U32(typeSection, m + 8, le, where);
                            refs.Add((id, mType, $"member {i} ('{mName}') type"));
                            members[i] = kflag
                                ? new BtfMember(mName, mType, mOff & 0xffffff, mOff >> 24)
                                : new BtfMember(mName, mType, mOff, 0);
                        }
                        type = new BtfComposite(id, name, kind == (int)BtfKind.Union, sizeOrType, members);
                        break;
                    }
                    case BtfKind.Enum:
                    {
                        extraLen = (uint)vlen * 8;
                        Bytes.Slice(typeSection, extra, extraLen, where + " enumerators");
                        CheckEnumSize(sizeOrType, where, name);
                        var values = new BtfEnumValue[vlen];
                        for (var i = 0; i < vlen; i++)
                        {
                            var e = extra + (uint)i * 8;
                            var eName = names.Get(Bytes.U32(typeSection, e, le, where), where + $" enumerator {i}");
                            var raw = Bytes.U32(typeSection, e + 4, le, where);
                            values[i] = new BtfEnumValue(eName, kflag ? unchecked((int)raw) : (long)raw);
                        }
                        type = new BtfEnum(id, name, BtfKind.Enum, sizeOrType, kflag, values);
                        break;
                    }
                    case BtfKind.Enum64:
                    {
                        extraLen = (uint)vlen * 12;
                        Bytes.Slice(typeSection, extra, extraLen, where + " enumerators");
                        CheckEnumSize(sizeOrType, where, name);
                        var values = new BtfEnumValue[vlen];
                        for (var i = 0; i < vlen; i++)
                        {
                            var e = extra + (uint)i * 12;
                            var eName = names.Get(Bytes.U32(typeSection, e, le, where), where + $" enumerator {i}");
                            var lo = Bytes.U32(typeSection, e + 4, le, where);
                            var hi = Bytes.U32(typeSection, e + 8, le, where);
                            values[i] = new BtfEnumValue(eName, unchecked((long)(((ulong)hi << 32) | lo)));
                        }
                        type = new BtfEnum(id, name, BtfKind.Enum64, sizeOrType, kflag, values);
                        break;
                    }
                    case BtfKind.Fwd:
                        extraLen = 0;
                        type = new BtfFwd(id, name, kflag);
                        break;
                    case BtfKind.Typedef:
                    case BtfKind.Volatile:
                    case BtfKind.Const:
                    case BtfKind.Restrict:
                    case BtfKind.TypeTag:
                        extraLen = 0;
                        refs.Add((id, sizeOrType, $"{(BtfKind)kind} target"));
                        type = new BtfRef(id, name, (BtfKind)kind, sizeOrType);
                        break;
                    case BtfKind.Func:
                        extraLen = 0;
                        if (vlen > 2)
                            throw new ObjectFormatException($"{where}: func '{name}' has linkage {vlen} (expected 0 static, 1 global or 2 extern)");
                        refs.Add((id, sizeOrType, "func prototype"));
                        type = new BtfFunc(id, name, sizeOrType, (uint)vlen);
                        break;
                    case BtfKind.FuncProto:
                    {
                        extraLen = (uint)vlen * 8;
                        Bytes.Slice(typeSection, extra, extraLen, where + " parameters");
                        refs.Add((id, sizeOrType, "return type"));
                        var ps = new BtfParam[vlen];
                        for (var i = 0; i < vlen; i++)
                        {
                            var p = extra + (uint)i * 8;
                            var pName = names.Get(Bytes.U32(typeSection, p, le, where), where + $" parameter {i}");
                            var pType = Bytes.U32(typeSection, p + 4, le, where);
                            refs.Add((id, pType, $"parameter {i} type"));
                            ps[i] = new BtfParam(pName, pType);
                        }
                        type = new BtfFuncProto(id, name, sizeOrType, ps);
                        break;
                    }
                    case BtfKind.Var:
                    {
                        extraLen = 4;
                        var linkage = Bytes.U32(typeSection, extra, le, where);
                        refs.Add((id, sizeOrType, "variable type"));
                        type = new BtfVar(id, name, sizeOrType, linkage);
                        break;
                    }
                    case BtfKind.DataSec:
                    {
                        extraLen = (uint)vlen * 12;
                        Bytes.Slice(typeSection, extra, extraLen, where + " variables");
                        var vars = new BtfVarSecInfo[vlen];
                        for (var i = 0; i < vlen; i++)
                        {
                            var v = extra + (uint)i * 12;
                            var vType = Bytes.U32(typeSection, v, le, where);
                            refs.Add((id, vType, $"datasec entry {i} type"));
                            vars[i] = new BtfVarSecInfo(vType, Bytes.U32(typeSection, v + 4, le, where), Bytes.U32(typeSection, v + 8, le, where));
                        }
                        type = new BtfDataSec(id, name, sizeOrType, vars);
                        break;
                    }
                    case BtfKind.Float:
                        extraLen = 0;
                        if (sizeOrType is not (2 or 4 or 8 or 12 or 16))
                            throw new ObjectFormatException($"{where}: float '{name}' has size {sizeOrType} (expected 2, 4, 8, 12 or 16)");
                        type = new BtfFloat(id, name, sizeOrType);
                        break;
                    case BtfKind.DeclTag:
                    {
                        extraLen = 4;
                        var component = unchecked((int)Bytes.U32(typeSection, extra, le, where));
                        if (component < -1)
                            throw new ObjectFormatException($"{where}: decl_tag component index {component} is below -1");
                        refs.Add((id, sizeOrType, "decl_tag target"));
                        type = new BtfDeclTag(id, name, sizeOrType, component);
                        break;
                    }
                    default:
                        throw new ObjectFormatException($"{where}: unknown BTF kind {kind}");
                }
                if ((ulong)extra + extraLen > typeLen)
                    throw new ObjectFormatException($"{where}: the {(BtfKind)kind} record runs past the end of the type section");
                types.Add(type);
                offsets.Add(hdrLen + typeOff + off);
                off = extra + extraLen;
            }

            var count = firstId + (uint)types.Count;
            foreach (var (from, to, what) in refs)
                if (to >= count)
                    throw new ObjectFormatException($"BTF type [{from}]: {what} refers to type id {to}, but the BTF only has ids below {count}");

            return new BtfSpec(btf.ToArray(), le, baseSpec, types.ToArray(), strings, offsets.ToArray());
        }

        private static void CheckEnumSize(uint size, string where, string name)
        {
            if (size is not (1 or 2 or 4 or 8))
                throw new ObjectFormatException($"{where}: enum '{name}' has size {size} (expected 1, 2, 4 or 8)");
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

            public string Get(uint offset, string where)
            {
                if (offset == 0)
                    return "";
                if (cache.TryGetValue(offset, out var s))
                    return s;
                if (baseSpec is not null && offset < baseLength)
                {
                    try { s = baseSpec.GetString(offset); }
                    catch (ObjectFormatException e) { throw new ObjectFormatException($"{where}: {e.Message}"); }
                }
                else
                {
                    s = Bytes.CString(strings, offset - baseLength, where + " name");
                }
                cache.Add(offset, s);
                return s;
            }
        }
    }
}
