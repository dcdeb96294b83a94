using System.Collections.Generic;
using System.Globalization;
using Ebpf.Btf;
using Ebpf.Generator.Model;
using Ebpf.Object;

namespace Ebpf.Generator.Parsing
{
    /// <summary>
    /// Translates BTF types into C# type references, collecting the nested types that have to be generated
    /// (structs, unions, enums, inline arrays). Typedefs and modifiers are transparent; pointers become
    /// <c>ulong</c>. Every type is translated once (by BTF id), in first-use order, so output is deterministic.
    /// Anything it cannot express yields <c>null</c> with a reason instead of an exception.
    /// </summary>
    internal sealed class TypeTranslator
    {
        /// <summary>Larger than any BPF map value or data section can be; also keeps StructLayout.Size an int.</summary>
        public const uint MaxTypeSize = 64u << 20;

        private const int MaxDepth = 32;

        private readonly BtfSpec btf;
        private readonly string prefix;
        private readonly NameScope typeScope;
        private readonly DiagnosticSink diagnostics;
        private readonly List<TypeModel> types = new List<TypeModel>();
        private readonly Dictionary<uint, Result> byId = new Dictionary<uint, Result>();
        private readonly Dictionary<string, string> arrays = new Dictionary<string, string>();
        private readonly HashSet<uint> inProgress = new HashSet<uint>();
        private readonly Dictionary<string, TypeModel> composites = new Dictionary<string, TypeModel>();
        private int depth;

        private readonly struct Result
        {
            public Result(string? typeRef, string? reason)
            {
                TypeRef = typeRef;
                Reason = reason;
            }

            public string? TypeRef { get; }
            public string? Reason { get; }
        }

        public TypeTranslator(BtfSpec btf, string prefix, NameScope typeScope, DiagnosticSink diagnostics)
        {
            this.btf = btf;
            this.prefix = prefix;
            this.typeScope = typeScope;
            this.diagnostics = diagnostics;
        }

        public IReadOnlyList<TypeModel> Types => types;

        /// <summary>The generated struct/union behind a type reference, or null (primitives, enums, arrays).</summary>
        internal TypeModel? CompositeFor(string typeRef) =>
            composites.TryGetValue(typeRef, out var model) ? model : null;

        /// <summary>Size of a BTF type in bytes, or null (with a reason) when it has none or the BTF is broken.</summary>
        public uint? SizeOf(uint typeId, out string? reason)
        {
            reason = null;
            try
            {
                return btf.SizeOf(typeId);
            }
            catch (ObjectFormatException e)
            {
                reason = e.Message;
                return null;
            }
        }

        /// <summary>
        /// The C# type for BTF type <paramref name="typeId"/>. <paramref name="suggestedName"/> names it if it turns
        /// out to be an anonymous struct/union/enum; <paramref name="cType"/> is a C spelling of it (kept in the
        /// model so tests can ask clang about the same type), or null.
        /// </summary>
        public string? TypeRef(uint typeId, string suggestedName, string? cType, out string? reason)
        {
            reason = null;
            if (depth > MaxDepth)
            {
                reason = $"types are nested more than {MaxDepth} levels deep";
                return null;
            }
            depth++;
            try
            {
                return Translate(typeId, suggestedName, cType, out reason);
            }
            catch (ObjectFormatException e)
            {
                reason = e.Message;
                return null;
            }
            finally
            {
                depth--;
            }
        }

        /// <summary>A type for a key or value known only by its size: an unsigned integer for 1, 2, 4 and 8 bytes,
        /// else an inline array of bytes.</summary>
        public string? SizedRef(uint size, out string? reason)
        {
            reason = null;
            switch (size)
            {
                case 0: reason = "its size is 0"; return null;
                case 1: return "byte";
                case 2: return "ushort";
                case 4: return "uint";
                case 8: return "ulong";
            }
            if (size > MaxTypeSize)
            {
                reason = $"its size {size} exceeds {MaxTypeSize} bytes";
                return null;
            }
            return InlineArray("byte", 1, size, null);
        }

        private string? Translate(uint typeId, string suggestedName, string? cType, out string? reason)
        {
            reason = null;
            // Walk typedefs and modifiers ourselves (bounded like BtfSpec.Resolve) to keep the first typedef name:
            // it names an anonymous struct/enum better than the context does and is valid C for the layout test.
            string? typedefName = null;
            var id = typeId;
            BtfType t;
            for (var steps = 0; ; steps++)
            {
                if (steps > btf.Count)
                {
                    reason = $"type [{typeId}] is part of a typedef/modifier cycle";
                    return null;
                }
                t = btf[id];
                if (t is BtfRef r)
                {
                    if (r.Kind == BtfKind.Typedef && typedefName is null && r.Name.Length > 0)
                        typedefName = r.Name;
                    id = r.TargetId;
                    continue;
                }
                break;
            }

            switch (t)
            {
                case BtfInt i:
                    return IntRef(i.Size, i.IsSigned, i.IsBool, out reason);
                case BtfPtr _:
                    return "ulong";
                case BtfFloat f:
                    if (f.Size == 4) return "float";
                    if (f.Size == 8) return "double";
                    reason = $"{f.Size}-byte floating point has no C# equivalent";
                    return null;
                case BtfArray a:
                    return ArrayRef(a, suggestedName, cType, out reason);
                case BtfEnum e:
                    return Cached(e.Id, () => EnumRef(e, NameFor(e, typedefName, suggestedName), CTypeFor(e, typedefName, cType)), out reason);
                case BtfComposite c:
                    return Cached(c.Id, () => CompositeRef(c, NameFor(c, typedefName, suggestedName), CTypeFor(c, typedefName, cType)), out reason);
                case BtfFwd fwd:
                    reason = $"'{Describe(fwd)}' is only declared, never defined";
                    return null;
                case BtfVoid _:
                    reason = "it is void";
                    return null;
                default:
                    reason = $"BTF kind {t.Kind} cannot be a value";
                    return null;
            }
        }

        private string? Cached(uint id, System.Func<Result> make, out string? reason)
        {
            if (!byId.TryGetValue(id, out var result))
            {
                if (!inProgress.Add(id))
                {
                    reason = $"type [{id}] contains itself";
                    return null;
                }
                try
                {
                    result = make();
                }
                finally
                {
                    inProgress.Remove(id);
                }
                byId[id] = result;
            }
            reason = result.Reason;
            return result.TypeRef;
        }

        private static string? IntRef(uint size, bool signed, bool isBool, out string? reason)
        {
            reason = null;
            switch (size)
            {
                case 1: return isBool ? "bool" : signed ? "sbyte" : "byte";
                case 2: return signed ? "short" : "ushort";
                case 4: return signed ? "int" : "uint";
                case 8: return signed ? "long" : "ulong";
                case 16: return signed ? "global::System.Int128" : "global::System.UInt128";
            }
            reason = $"{size}-byte integers have no C# equivalent";
            return null;
        }

        private string NameFor(BtfType t, string? typedefName, string suggestedName)
        {
            var wanted = Identifiers.ToPascal(t.Name.Length > 0 ? t.Name : typedefName ?? suggestedName);
            var name = typeScope.Take(wanted, "Anonymous", out var renamed);
            if (renamed && wanted.Length > 0)
                diagnostics.Add(Diagnostics.IdentifierRenamed, "type", Describe(t), name, wanted);
            return name;
        }

        private static string? CTypeFor(BtfType t, string? typedefName, string? contextCType)
        {
            if (t.Name.Length > 0 && IsCIdentifier(t.Name))
                return t.Kind == BtfKind.Union ? "union " + t.Name : t.Kind == BtfKind.Struct ? "struct " + t.Name : "enum " + t.Name;
            if (typedefName is not null && IsCIdentifier(typedefName))
                return typedefName;
            return contextCType;
        }

        private Result EnumRef(BtfEnum e, string name, string? cType)
        {
            string underlying;
            switch (e.Size)
            {
                case 1: underlying = e.IsSigned ? "sbyte" : "byte"; break;
                case 2: underlying = e.IsSigned ? "short" : "ushort"; break;
                case 4: underlying = e.IsSigned ? "int" : "uint"; break;
                case 8: underlying = e.IsSigned ? "long" : "ulong"; break;
                default: return new Result(null, $"enum '{Describe(e)}' is {e.Size} bytes; only 1, 2, 4 and 8 are supported");
            }
            var scope = new NameScope(name, "value__", "HasFlag", "CompareTo", "GetTypeCode"); // System.Enum's members would be hidden (CS0108)
            var members = new List<EnumMemberModel>();
            foreach (var v in e.Values)
            {
                var wanted = Identifiers.ToPascal(v.Name);
                var memberName = scope.Take(wanted, "Value", out var renamed);
                if (renamed && wanted.Length > 0)
                    diagnostics.Add(Diagnostics.IdentifierRenamed, "enumerator", v.Name, memberName, wanted);
                members.Add(new EnumMemberModel(memberName, v.Name, EnumLiteral(v.Value, e.Size, e.IsSigned)));
            }
            types.Add(new TypeModel(TypeModelKind.Enum, name, cType, e.Size, underlying, null, 0,
                                    EquatableArray<FieldModel>.Empty, members.ToEquatableArray()));
            return new Result(prefix + name, null);
        }

        /// <summary>The value cut to the enum's width, written so that it is a constant of the underlying type.</summary>
        private static string EnumLiteral(long value, uint size, bool signed)
        {
            var bits = (int)size * 8;
            var raw = unchecked((ulong)value);
            if (bits < 64)
                raw &= (1UL << bits) - 1;
            if (!signed)
                return raw.ToString(CultureInfo.InvariantCulture);
            var shifted = unchecked((long)(raw << (64 - bits)) >> (64 - bits));
            return shifted == long.MinValue ? "long.MinValue" : shifted.ToString(CultureInfo.InvariantCulture);
        }

        private Result CompositeRef(BtfComposite c, string name, string? cType)
        {
            if (c.Size == 0)
                return new Result(null, $"'{Describe(c)}' has size 0");
            if (c.Size > MaxTypeSize)
                return new Result(null, $"'{Describe(c)}' is {c.Size} bytes, more than {MaxTypeSize}");
            var fields = new MemberTranslator(this, c, name, cType).Translate();
            var model = new TypeModel(c.IsUnion ? TypeModelKind.Union : TypeModelKind.Struct, name, cType, c.Size, null, null, 0,
                                      fields.ToEquatableArray(), EquatableArray<EnumMemberModel>.Empty);
            types.Add(model);
            composites[prefix + name] = model;
            return new Result(prefix + name, null);
        }

        private string? ArrayRef(BtfArray a, string suggestedName, string? cType, out string? reason)
        {
            if (a.Length == 0)
            {
                reason = "zero-length (flexible) arrays have no fixed layout";
                return null;
            }
            var elementSize = SizeOf(a.ElementId, out reason);
            if (elementSize is null)
                return null;
            if (elementSize.Value == 0)
            {
                reason = "its elements have size 0";
                return null;
            }
            if ((ulong)elementSize.Value * a.Length > MaxTypeSize)
            {
                reason = $"the array is larger than {MaxTypeSize} bytes";
                return null;
            }
            var elementCType = cType is null ? null : "__typeof__(((" + cType + " *)0)[0][0])";
            var element = TypeRef(a.ElementId, suggestedName + "Item", elementCType, out reason);
            if (element is null)
                return null;
            return InlineArray(element, elementSize.Value, a.Length, cType);
        }

        private string InlineArray(string element, uint elementSize, uint length, string? cType)
        {
            var key = element + "|" + length.ToString(CultureInfo.InvariantCulture);
            if (!arrays.TryGetValue(key, out var typeRef))
            {
                var name = typeScope.Take(ShortName(element) + "Array" + length.ToString(CultureInfo.InvariantCulture), "Array");
                types.Add(new TypeModel(TypeModelKind.InlineArray, name, cType, elementSize * length, null, element, length,
                                        EquatableArray<FieldModel>.Empty, EquatableArray<EnumMemberModel>.Empty));
                arrays.Add(key, typeRef = prefix + name);
            }
            return typeRef;
        }

        /// <summary>"uint" -> "UInt32", "global::Ns.Skel.FlowKey" -> "FlowKey": a readable part of an array type's name.</summary>
        private string ShortName(string typeRef)
        {
            switch (typeRef)
            {
                case "bool": return "Bool";
                case "byte": return "Byte";
                case "sbyte": return "SByte";
                case "short": return "Int16";
                case "ushort": return "UInt16";
                case "int": return "Int32";
                case "uint": return "UInt32";
                case "long": return "Int64";
                case "ulong": return "UInt64";
                case "float": return "Single";
                case "double": return "Double";
            }
            var dot = typeRef.LastIndexOf('.');
            return dot < 0 ? typeRef : typeRef.Substring(dot + 1);
        }

        internal static bool IsCIdentifier(string name)
        {
            if (name.Length == 0 || (name[0] >= '0' && name[0] <= '9'))
                return false;
            foreach (var ch in name)
                if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'))
                    return false;
            return true;
        }

        internal static string Describe(BtfType t)
        {
            var kind = t.Kind == BtfKind.Union || (t is BtfFwd f && f.IsUnion) ? "union" : t.Kind == BtfKind.Enum || t.Kind == BtfKind.Enum64 ? "enum" : "struct";
            return t.Name.Length == 0 ? $"anonymous {kind} [{t.Id}]" : kind + " " + t.Name;
        }

        internal BtfSpec Btf => btf;

        internal DiagnosticSink DiagnosticSink => diagnostics;
    }
}
