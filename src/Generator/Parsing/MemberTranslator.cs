using System.Collections.Generic;
using System.Globalization;
using Ebpf.Btf;
using Ebpf.Generator.Model;

namespace Ebpf.Generator.Parsing
{
    /// <summary>
    /// The members of one struct or union: plain members become fields at their byte offset; bitfields become
    /// a property over a private storage field that covers the bitfield's bits (1, 2, 4 or 8 bytes, starting at
    /// the bitfield's first byte, moved back when it would run past the end of the struct). Members that cannot
    /// be expressed are left out with a warning; the struct keeps its exact size either way.
    /// </summary>
    internal sealed class MemberTranslator
    {
        private readonly TypeTranslator types;
        private readonly BtfComposite composite;
        private readonly string name;
        private readonly string? cType;
        private readonly NameScope scope;
        private readonly List<FieldModel> fields = new List<FieldModel>();
        private int storageCount;
        private readonly List<(FieldModel Field, TypeModel Inner)> anonymous = new List<(FieldModel, TypeModel)>();

        public MemberTranslator(TypeTranslator types, BtfComposite composite, string name, string? cType)
        {
            this.types = types;
            this.composite = composite;
            this.name = name;
            this.cType = cType;
            scope = new NameScope(name);
        }

        public List<FieldModel> Translate()
        {
            foreach (var member in composite.Members)
                TranslateMember(member);
            // After the struct's own members, so that they keep their names if a lifted one clashes.
            foreach (var (field, inner) in anonymous)
                Lift(field, inner);
            return fields;
        }

        /// <summary>C lets <c>x.v4</c> reach into an anonymous member; give the struct a forwarding property for each
        /// member of the anonymous struct/union (its own lifted ones included, so nesting flattens all the way).</summary>
        private void Lift(FieldModel field, TypeModel inner)
        {
            foreach (var member in inner.Fields)
            {
                if (member.Kind == FieldModelKind.BitfieldStorage || member.CName.Length == 0)
                    continue;
                var wanted = member.Name;
                var name = scope.Take(wanted, "Anonymous", out var renamed);
                if (renamed)
                    types.DiagnosticSink.Add(Diagnostics.IdentifierRenamed, "member", member.CName, name, wanted);
                fields.Add(new FieldModel(FieldModelKind.Lifted, name, member.CName, member.Type, field.Offset + member.Offset, member.Size,
                                          field.Name + "." + member.Name, 0, member.Bits, member.ValueKind));
            }
        }

        private void TranslateMember(BtfMember m)
        {
            var (bitOffset, bits) = types.Btf.MemberBits(m);
            var resolved = types.Btf.Resolve(m.TypeId);
            if (bits > 0)
                TranslateBitfield(m, resolved, bitOffset, bits);
            else
                TranslatePlain(m, bitOffset);
        }

        private void TranslatePlain(BtfMember m, uint bitOffset)
        {
            if (bitOffset % 8 != 0)
            {
                Unsupported(m, $"it starts at bit {bitOffset}, not on a byte boundary");
                return;
            }
            var offset = bitOffset / 8;
            var size = types.SizeOf(m.TypeId, out var reason);
            if (size is null)
            {
                Unsupported(m, reason!);
                return;
            }
            if (size.Value == 0)
                return; // a flexible array member or an empty struct: nothing to lay out (documented in docs/skeletons.md)
            if ((ulong)offset + size.Value > composite.Size)
            {
                Unsupported(m, $"it occupies bytes {offset}..{(ulong)offset + size.Value} of a {composite.Size}-byte type");
                return;
            }
            var wanted = Identifiers.ToPascal(m.Name);
            var memberCType = cType is not null && TypeTranslator.IsCIdentifier(m.Name) ? "__typeof__(((" + cType + " *)0)->" + m.Name + ")" : null;
            var typeRef = types.TypeRef(m.TypeId, name + (wanted.Length > 0 ? wanted : "Anonymous"), memberCType, out reason);
            if (typeRef is null)
            {
                Unsupported(m, reason!);
                return;
            }
            var field = new FieldModel(FieldModelKind.Plain, TakeName(m, wanted), m.Name, typeRef, offset, size.Value, null, 0, 0, BitfieldValueKind.Unsigned);
            fields.Add(field);
            if (m.Name.Length == 0 && types.CompositeFor(typeRef) is { } inner)
                anonymous.Add((field, inner));
        }

        private void TranslateBitfield(BtfMember m, BtfType resolved, uint bitOffset, uint bits)
        {
            string? valueType;
            BitfieldValueKind kind;
            string? reason = null;
            switch (resolved)
            {
                case BtfInt i when i.Size <= 8:
                    valueType = i.IsBool ? "bool" : IntName(i.Size, i.IsSigned);
                    kind = i.IsBool ? BitfieldValueKind.Bool : i.IsSigned ? BitfieldValueKind.Signed : BitfieldValueKind.Unsigned;
                    break;
                case BtfEnum e when e.Size <= 8:
                    valueType = types.TypeRef(m.TypeId, name + Identifiers.ToPascal(m.Name), null, out reason);
                    kind = e.IsSigned ? BitfieldValueKind.SignedEnum : BitfieldValueKind.Enum;
                    break;
                default:
                    Unsupported(m, "bitfields are supported on integer and enum types of up to 8 bytes only");
                    return;
            }
            if (valueType is null)
            {
                Unsupported(m, reason!);
                return;
            }
            if (bits > 64 || bits > types.SizeOf(m.TypeId, out _) * 8)
            {
                Unsupported(m, $"a {bits}-bit bitfield is wider than its type");
                return;
            }
            var start = bitOffset / 8;
            var shift = bitOffset % 8;
            var needed = shift + bits;
            if (needed > 64)
            {
                Unsupported(m, "the bitfield spans more than 8 bytes");
                return;
            }
            var window = needed <= 8 ? 1u : needed <= 16 ? 2u : needed <= 32 ? 4u : 8u;
            if ((ulong)start + window > composite.Size)
            {
                if (window > composite.Size || (ulong)bitOffset + bits > composite.Size * 8UL)
                {
                    Unsupported(m, $"its bits {bitOffset}..{(ulong)bitOffset + bits} lie outside the {composite.Size}-byte type");
                    return;
                }
                start = composite.Size - window;
                shift = bitOffset - start * 8;
            }
            var storageType = window == 1 ? "byte" : window == 2 ? "ushort" : window == 4 ? "uint" : "ulong";
            var storage = scope.Take("_bitfield" + (storageCount++).ToString(CultureInfo.InvariantCulture), "_bitfield");
            fields.Add(new FieldModel(FieldModelKind.BitfieldStorage, storage, "", storageType, start, window, null, 0, 0, BitfieldValueKind.Unsigned));
            var wanted = Identifiers.ToPascal(m.Name);
            fields.Add(new FieldModel(FieldModelKind.Bitfield, TakeName(m, wanted), m.Name, valueType, start, window, storage, shift, bits, kind));
        }

        private string TakeName(BtfMember m, string wanted)
        {
            var result = scope.Take(wanted, "Anonymous", out var renamed);
            if (renamed && m.Name.Length > 0)
                types.DiagnosticSink.Add(Diagnostics.IdentifierRenamed, "member", m.Name, result, wanted.Length > 0 ? wanted : m.Name);
            return result;
        }

        private void Unsupported(BtfMember m, string reason) =>
            types.DiagnosticSink.Add(Diagnostics.UnsupportedType,
                $"Member '{(m.Name.Length == 0 ? "(anonymous)" : m.Name)}' of {TypeTranslator.Describe(composite)}", reason);

        private static string IntName(uint size, bool signed) =>
            size == 1 ? (signed ? "sbyte" : "byte") : size == 2 ? (signed ? "short" : "ushort") : size <= 4 ? (signed ? "int" : "uint") : (signed ? "long" : "ulong");
    }
}
