using System;
using System.Collections.Generic;
using Ebpf.Object;

namespace Ebpf.Btf
{
    /// <summary>
    /// Parsed BTF: an object's ".BTF" section, the kernel's /sys/kernel/btf/vmlinux, or a module's split BTF
    /// on top of a base. Immutable after parsing; safe to read from several threads.
    /// </summary>
    public sealed class BtfSpec
    {
        private readonly BtfType[] types;          // this spec's own types; index 0 is the first own id
        private readonly byte[] strings;           // this spec's own string section
        private readonly Lazy<Dictionary<string, List<uint>>> byName;
        private readonly uint[] recordOffsets;     // byte offset in RawBytes of each own type's record

        internal BtfSpec(byte[] rawBytes, bool isLittleEndian, BtfSpec? baseSpec, BtfType[] types, byte[] strings, uint[] recordOffsets)
        {
            this.recordOffsets = recordOffsets;
            RawBytes = rawBytes;
            IsLittleEndian = isLittleEndian;
            Base = baseSpec;
            this.types = types;
            this.strings = strings;
            byName = new Lazy<Dictionary<string, List<uint>>>(IndexNames);
        }

        /// <summary>Parses standalone BTF (an object's .BTF or vmlinux). The byte order is taken from the magic;
        /// it must agree with <paramref name="littleEndian"/> (the byte order of the ELF it came from).</summary>
        public static BtfSpec Parse(ReadOnlySpan<byte> btf, bool littleEndian) => BtfReader.Read(btf, littleEndian, null);

        /// <summary>Parses standalone little-endian BTF (vmlinux, or an object's .BTF on a little-endian machine).</summary>
        public static BtfSpec Parse(ReadOnlySpan<byte> btf) => BtfReader.Read(btf, true, null);

        /// <summary>Parses split BTF (a kernel module's /sys/kernel/btf/&lt;module&gt;) whose ids and strings continue <paramref name="baseSpec"/>'s.</summary>
        public static BtfSpec Parse(ReadOnlySpan<byte> btf, BtfSpec baseSpec)
        {
            if (baseSpec is null)
                throw new ArgumentNullException(nameof(baseSpec));
            return BtfReader.Read(btf, baseSpec.IsLittleEndian, baseSpec);
        }

        /// <summary>The section as read (for an object: with DATASEC sizes/offsets fixed up), to hand to BPF_BTF_LOAD.</summary>
        public byte[] RawBytes { get; }

        public bool IsLittleEndian { get; }

        /// <summary>The base of split BTF; null for standalone BTF.</summary>
        public BtfSpec? Base { get; }

        /// <summary>The first type id this spec defines itself (1 for standalone BTF, the base's <see cref="Count"/> for split BTF).</summary>
        public uint FirstTypeId => Base is null ? 1u : (uint)Base.Count;

        /// <summary>Number of type ids, including 0 (void) and, for split BTF, the base's.</summary>
        public int Count => (int)FirstTypeId + types.Length;

        /// <summary>Length of the string section, including the base's for split BTF (string offsets run on from the base's).</summary>
        public uint StringsLength => (Base?.StringsLength ?? 0) + (uint)strings.Length;

        /// <summary>The type with that id; id 0 is <see cref="BtfVoid"/>. Throws <see cref="ObjectFormatException"/> for an unknown id.</summary>
        public BtfType this[uint id]
        {
            get
            {
                if (id == 0)
                    return Void;
                if (id < FirstTypeId)
                    return Base![id];
                var index = id - FirstTypeId;
                if (index >= (uint)types.Length)
                    throw new ObjectFormatException($"BTF: type id {id} does not exist (the BTF has {Count} ids)");
                return types[index];
            }
        }

        /// <summary>True when <paramref name="id"/> names a type of this spec (or its base).</summary>
        public bool Contains(uint id) => id < (uint)Count;

        /// <summary>Looks up the string at <paramref name="offset"/> of the string section ("" for 0).</summary>
        public string GetString(uint offset)
        {
            if (Base is not null)
            {
                if (offset < Base.StringsLength)
                    return Base.GetString(offset);
                offset -= Base.StringsLength;
            }
            return Object.Elf.Bytes.CString(strings, offset, "BTF string section");
        }

        /// <summary>All types (of this spec and its base) with that name, in id order.</summary>
        public IEnumerable<BtfType> FindByName(string name)
        {
            if (Base is not null)
                foreach (var t in Base.FindByName(name))
                    yield return t;
            if (byName.Value.TryGetValue(name, out var ids))
                foreach (var id in ids)
                    yield return this[id];
        }

        /// <summary>The first type of kind <typeparamref name="T"/> with that name, or null.</summary>
        public T? Find<T>(string name) where T : BtfType
        {
            foreach (var t in FindByName(name))
                if (t is T match)
                    return match;
            return null;
        }

        /// <summary>Skips typedef, const, volatile, restrict and type_tag. Throws on a cycle.</summary>
        public BtfType Resolve(uint typeId)
        {
            var t = this[typeId];
            for (var steps = 0; t is BtfRef r; steps++)
            {
                if (steps > Count)
                    throw new ObjectFormatException($"BTF: type [{typeId}] is part of a typedef/modifier cycle");
                t = this[r.TargetId];
            }
            return t;
        }

        /// <summary>
        /// Where a struct or union member's bits are: its offset in bits from the start of the struct, and its bitfield
        /// width (0 when it is not a bitfield). BTF has two encodings of a bitfield: with kind_flag the width is in the
        /// member; without it the member's type is an int whose value bits (BTF_INT_BITS) are fewer than its storage,
        /// shifted by BTF_INT_OFFSET. This is the one place that knows both.
        /// </summary>
        public (uint BitOffset, uint BitfieldSize) MemberBits(BtfMember member)
        {
            if (member is null)
                throw new ArgumentNullException(nameof(member));
            if (member.BitfieldSize == 0 && Resolve(member.TypeId) is BtfInt legacy && (legacy.BitOffset != 0 || legacy.Bits != legacy.Size * 8))
                return (member.BitOffset + legacy.BitOffset, legacy.Bits);
            return (member.BitOffset, member.BitfieldSize);
        }

        /// <summary>True when the type is const-qualified, looking through typedef, volatile, restrict and type_tag.</summary>
        public bool IsConst(uint typeId)
        {
            var t = this[typeId];
            for (var steps = 0; t is BtfRef r; steps++)
            {
                if (r.Kind == BtfKind.Const)
                    return true;
                if (steps > Count)
                    throw new ObjectFormatException($"BTF: type [{typeId}] is part of a typedef/modifier cycle");
                t = this[r.TargetId];
            }
            return false;
        }

        /// <summary>Size in bytes after resolving typedefs/modifiers/arrays (pointers are 8 bytes). Throws
        /// <see cref="ObjectFormatException"/> for types without a size (void, func, fwd) and on cycles or overflow.</summary>
        public uint SizeOf(uint typeId)
        {
            ulong multiplier = 1;
            var id = typeId;
            for (var steps = 0; ; steps++)
            {
                if (steps > Count)
                    throw new ObjectFormatException($"BTF: type [{typeId}] is part of a cycle; it has no size");
                var t = this[id];
                ulong size;
                switch (t)
                {
                    case BtfRef r: id = r.TargetId; continue;
                    case BtfVar v: id = v.TypeId; continue;
                    case BtfArray a:
                        multiplier *= a.Length;
                        if (multiplier > uint.MaxValue)
                            multiplier = (ulong)uint.MaxValue + 1; // stays above the limit; checked below
                        id = a.ElementId;
                        continue;
                    case BtfInt i: size = i.Size; break;
                    case BtfEnum e: size = e.Size; break;
                    case BtfComposite c: size = c.Size; break;
                    case BtfFloat f: size = f.Size; break;
                    case BtfDataSec d: size = d.Size; break;
                    case BtfPtr: size = 8; break;
                    default:
                        throw new ObjectFormatException($"BTF: type [{typeId}] resolves to {t}, which has no size");
                }
                var total = size * multiplier;
                if (multiplier > uint.MaxValue || total > uint.MaxValue)
                    throw new ObjectFormatException($"BTF: the size of type [{typeId}] overflows 32 bits");
                return (uint)total;
            }
        }

        /// <summary>Byte offset in <see cref="RawBytes"/> of the record of an own (not base) type.</summary>
        internal uint RecordOffset(uint id) => recordOffsets[id - FirstTypeId];

        internal static readonly BtfVoid Void = new BtfVoid();

        private Dictionary<string, List<uint>> IndexNames()
        {
            var index = new Dictionary<string, List<uint>>(StringComparer.Ordinal);
            foreach (var t in types)
            {
                if (t.Name.Length == 0)
                    continue;
                if (!index.TryGetValue(t.Name, out var list))
                    index.Add(t.Name, list = new List<uint>(1));
                list.Add(t.Id);
            }
            return index;
        }
    }
}
