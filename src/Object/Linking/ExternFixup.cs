using System;
using System.Collections.Generic;
using Ebpf.Btf;
using Ebpf.Object.Elf;

namespace Ebpf.Object.Linking
{
    /// <summary>
    /// Makes the BTF of an object with externs loadable, as libbpf does in bpf_object__collect_externs: the
    /// kernel refuses BTF with FUNCs of extern linkage, extern VARs and DATASECs of size 0, which is what clang
    /// emits for <c>__ksym</c> and <c>__kconfig</c> declarations.
    /// </summary>
    /// <remarks>
    /// .ksyms: every entry becomes a 4-byte slot at offset 4*i; kfunc entries point at an added global VAR
    /// "dummy_ksym" of type int (the FUNC itself turns global, and unnamed parameters of its prototype take the
    /// dummy's name, since the kernel wants named parameters for global functions); variables become global
    /// ints. .kconfig: variables are laid out like libbpf's .kconfig map (by descending alignment, then
    /// ascending size, then name, each at the next multiple of its alignment), which is the layout the loader
    /// must use for the map's value; <see cref="Apply"/> returns it.
    /// </remarks>
    internal static class ExternFixup
    {
        private const string DummyName = "dummy_ksym";

        public static BtfSpec Apply(BtfSpec btf, out Dictionary<string, uint> kconfigOffsets)
        {
            kconfigOffsets = new Dictionary<string, uint>(StringComparer.Ordinal);
            var ksyms = btf.Find<BtfDataSec>(".ksyms");
            var kconfig = btf.Find<BtfDataSec>(".kconfig");
            if (ksyms is null && kconfig is null)
                return btf;
            var le = btf.IsLittleEndian;
            var raw = btf.RawBytes;
            var hdrLen = Bytes.U32(raw, 4, le, "BTF hdr_len");
            var typeOff = Bytes.U32(raw, 8, le, "BTF type_off");
            var typeLen = Bytes.U32(raw, 12, le, "BTF type_len");
            var strOff = Bytes.U32(raw, 16, le, "BTF str_off");
            var strLen = Bytes.U32(raw, 20, le, "BTF str_len");
            var types = Bytes.Slice(raw, hdrLen + typeOff, typeLen, "BTF types").ToArray();
            var strings = Bytes.Slice(raw, hdrLen + strOff, strLen, "BTF strings").ToArray();
            var typesStart = hdrLen + typeOff;
            int At(uint id) => (int)(btf.RecordOffset(id) - typesStart);

            var extraType = Array.Empty<byte>();
            var extraStrings = Array.Empty<byte>();
            if (ksyms is not null)
            {
                var intId = FindInt32(btf) ?? throw new ObjectFormatException("BTF DATASEC '.ksyms': the BTF has no 32-bit int to give the extern slots a type");
                var dummyId = (uint)btf.Count;
                var dummyName = strLen;
                var needDummy = false;
                var ds = At(ksyms.Id);
                for (var i = 0; i < ksyms.Vars.Count; i++)
                {
                    var entry = ds + 12 + i * 12;
                    switch (btf[ksyms.Vars[i].TypeId])
                    {
                        case BtfFunc f:
                            needDummy = true;
                            var info = Bytes.U32(types, (ulong)At(f.Id) + 4, le, "BTF func info");
                            Bytes.WriteU32(types, At(f.Id) + 4, (info & ~0xffffu) | 1u, le);   // linkage: global
                            if (btf[f.ProtoId] is BtfFuncProto proto)
                                for (var p = 0; p < proto.Params.Count; p++)
                                    if (proto.Params[p].TypeId != 0 && proto.Params[p].Name.Length == 0)
                                        Bytes.WriteU32(types, At(proto.Id) + 12 + p * 8, dummyName, le);
                            Bytes.WriteU32(types, entry, dummyId, le);
                            break;
                        case BtfVar v:
                            Bytes.WriteU32(types, At(v.Id) + 8, intId, le);                    // type: int
                            Bytes.WriteU32(types, At(v.Id) + 12, 1, le);                       // linkage: global allocated
                            break;
                        default:
                            throw new ObjectFormatException($"BTF DATASEC '.ksyms': entry {i} is a {btf[ksyms.Vars[i].TypeId].Kind}, expected a FUNC or VAR");
                    }
                    Bytes.WriteU32(types, entry + 4, (uint)i * 4, le);
                    Bytes.WriteU32(types, entry + 8, 4, le);
                }
                Bytes.WriteU32(types, ds + 8, (uint)ksyms.Vars.Count * 4, le);
                if (needDummy)
                {
                    extraType = new byte[16];
                    Bytes.WriteU32(extraType, 0, dummyName, le);
                    Bytes.WriteU32(extraType, 4, (uint)BtfKind.Var << 24, le);
                    Bytes.WriteU32(extraType, 8, intId, le);
                    Bytes.WriteU32(extraType, 12, 1, le);
                    extraStrings = System.Text.Encoding.ASCII.GetBytes(DummyName + "\0");
                }
            }

            if (kconfig is not null)
            {
                var layout = new List<(BtfVar Var, uint Size, uint Align)>();
                foreach (var e in kconfig.Vars)
                {
                    if (btf[e.TypeId] is not BtfVar v)
                        throw new ObjectFormatException($"BTF DATASEC '.kconfig': entry type [{e.TypeId}] is a {btf[e.TypeId].Kind}, expected a VAR");
                    layout.Add((v, btf.SizeOf(v.TypeId), KconfigAlignment(btf, v)));
                }
                layout.Sort((a, b) => a.Align != b.Align ? b.Align.CompareTo(a.Align)
                                     : a.Size != b.Size ? a.Size.CompareTo(b.Size)
                                     : string.CompareOrdinal(a.Var.Name, b.Var.Name));
                ulong off = 0;
                var sorted = new List<(uint Type, uint Offset, uint Size)>();
                foreach (var (v, size, align) in layout)
                {
                    off = (off + align - 1) / align * align;
                    kconfigOffsets[v.Name] = (uint)off;
                    sorted.Add((v.Id, (uint)off, size));
                    Bytes.WriteU32(types, At(v.Id) + 12, 1, le);                               // linkage: global allocated
                    off += size;
                    if (off > uint.MaxValue)
                        throw new ObjectFormatException("BTF DATASEC '.kconfig': the variables do not fit 4 GiB");
                }
                var ds = At(kconfig.Id);
                Bytes.WriteU32(types, ds + 8, (uint)off, le);
                for (var i = 0; i < sorted.Count; i++)
                {
                    Bytes.WriteU32(types, ds + 12 + i * 12, sorted[i].Type, le);
                    Bytes.WriteU32(types, ds + 16 + i * 12, sorted[i].Offset, le);
                    Bytes.WriteU32(types, ds + 20 + i * 12, sorted[i].Size, le);
                }
            }

            // Re-emit in the canonical layout: 24-byte header, types, strings.
            var newTypeLen = types.Length + extraType.Length;
            var newStrLen = strings.Length + extraStrings.Length;
            var result = new byte[24 + newTypeLen + newStrLen];
            Array.Copy(raw, 0, result, 0, 4);
            Bytes.WriteU32(result, 4, 24, le);
            Bytes.WriteU32(result, 8, 0, le);
            Bytes.WriteU32(result, 12, (uint)newTypeLen, le);
            Bytes.WriteU32(result, 16, (uint)newTypeLen, le);
            Bytes.WriteU32(result, 20, (uint)newStrLen, le);
            types.CopyTo(result, 24);
            extraType.CopyTo(result, 24 + types.Length);
            strings.CopyTo(result, 24 + newTypeLen);
            extraStrings.CopyTo(result, 24 + newTypeLen + strings.Length);
            return BtfSpec.Parse(result, le);
        }

        private static uint? FindInt32(BtfSpec btf)
        {
            for (var id = 1u; id < (uint)btf.Count; id++)
                if (btf[id] is BtfInt i && i.Bits == 32)
                    return id;
            return null;
        }

        /// <summary>libbpf accepts bool, char, integers, enums and char arrays in .kconfig; their alignment is their
        /// element size.</summary>
        private static uint KconfigAlignment(BtfSpec btf, BtfVar v)
        {
            var t = btf.Resolve(v.TypeId);
            if (t is BtfArray a)
                t = btf.Resolve(a.ElementId);
            return t switch
            {
                BtfInt i when i.Size <= 8 => i.Size,
                BtfEnum e => e.Size,
                _ => throw new ObjectFormatException($"extern '{v.Name}' in .kconfig has type {t.Kind}; only bool, char, integers, enums and char arrays are supported (libbpf's rule)"),
            };
        }
    }
}
