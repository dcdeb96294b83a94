using Ebpf.Generator.Model;
using Ebpf.Generator.Parsing;

namespace Ebpf.Generator.Emitting
{
    /// <summary>Writes the nested types generated from BTF: explicit-layout structs and unions, enums, inline arrays.</summary>
    internal static class TypeEmitter
    {
        private const string InteropNs = "global::System.Runtime.InteropServices.";

        public static void Emit(IndentedWriter w, TypeModel type)
        {
            switch (type.Kind)
            {
                case TypeModelKind.Struct:
                case TypeModelKind.Union:
                    EmitComposite(w, type);
                    break;
                case TypeModelKind.Enum:
                    EmitEnum(w, type);
                    break;
                case TypeModelKind.InlineArray:
                    EmitInlineArray(w, type);
                    break;
            }
        }

        private static string Origin(TypeModel type) =>
            type.CType is not null && !type.CType.StartsWith("__typeof__", System.StringComparison.Ordinal)
                ? "C <c>" + Identifiers.ForComment(type.CType) + "</c>"
                : "An anonymous C " + (type.Kind == TypeModelKind.Union ? "union" : type.Kind == TypeModelKind.Enum ? "enum" : "struct");

        private static void EmitComposite(IndentedWriter w, TypeModel type)
        {
            w.Line($"/// <summary>{Origin(type)} ({DocText.Bytes(type.Size)}); fields at the offsets BTF gives.</summary>");
            w.Line($"[{InteropNs}StructLayout({InteropNs}LayoutKind.Explicit, Size = {Literals.Number(type.Size)})]");
            w.Line($"public partial struct {type.Name}");
            w.Open();
            var first = true;
            foreach (var field in type.Fields)
            {
                if (!first)
                    w.Line();
                first = false;
                EmitField(w, field);
            }
            w.Close();
        }

        private static void EmitField(IndentedWriter w, FieldModel field)
        {
            var cName = Identifiers.ForComment(field.CName);
            switch (field.Kind)
            {
                case FieldModelKind.Plain:
                    w.Line(field.CName.Length > 0
                        ? $"/// <summary><c>{cName}</c>, at byte {field.Offset} ({DocText.Bytes(field.Size)}).</summary>"
                        : $"/// <summary>An anonymous member, at byte {field.Offset} ({DocText.Bytes(field.Size)}).</summary>");
                    w.Line($"[{InteropNs}FieldOffset({Literals.Number(field.Offset)})]");
                    w.Line($"public {field.Type} {field.Name};");
                    break;
                case FieldModelKind.BitfieldStorage:
                    w.Line($"[{InteropNs}FieldOffset({Literals.Number(field.Offset)})]");
                    w.Line($"private {field.Type} {field.Name};");
                    break;
                case FieldModelKind.Bitfield:
                    EmitBitfield(w, field, cName);
                    break;
                case FieldModelKind.Lifted:
                    w.Line($"/// <summary><c>{cName}</c> of an anonymous member, at byte {field.Offset}: forwards to <c>{field.StorageField}</c>.</summary>");
                    w.Line($"public {field.Type} {field.Name}");
                    w.Open();
                    w.Line($"readonly get => {field.StorageField};");
                    w.Line($"set => {field.StorageField} = value;");
                    w.Close();
                    break;
            }
        }

        private static void EmitBitfield(IndentedWriter w, FieldModel field, string cName)
        {
            var mask = field.Bits == 64 ? ulong.MaxValue : (1UL << (int)field.Bits) - 1;
            var storage = field.StorageField!;
            var storageType = StorageType(field.Size);
            var raw = $"((ulong){storage} >> {field.Shift})";
            string get;
            switch (field.ValueKind)
            {
                case BitfieldValueKind.Bool:
                    get = $"({raw} & {Literals.Hex(mask)}) != 0";
                    break;
                case BitfieldValueKind.Signed:
                case BitfieldValueKind.SignedEnum:
                    // Move the field's top bit to bit 63, then shift back arithmetically to sign-extend.
                    get = $"unchecked(({field.Type})((long)((ulong){storage} << {64 - field.Shift - field.Bits}) >> {64 - field.Bits}))";
                    break;
                default:
                    get = $"unchecked(({field.Type})({raw} & {Literals.Hex(mask)}))";
                    break;
            }
            var value = field.ValueKind == BitfieldValueKind.Bool ? "(value ? 1UL : 0UL)" : "(ulong)value";
            var set = $"{storage} = unchecked(({storageType})(((ulong){storage} & ~({Literals.Hex(mask)} << {field.Shift})) | (({value} & {Literals.Hex(mask)}) << {field.Shift})));";
            w.Line($"/// <summary>Bitfield <c>{cName}</c>: {DocText.Bits(field.Bits)} from bit {field.Shift} of the {DocText.Bytes(field.Size)} at byte {field.Offset}.</summary>");
            w.Line($"public {field.Type} {field.Name}");
            w.Open();
            w.Line($"readonly get => {get};");
            w.Line($"set => {set}");
            w.Close();
        }

        private static string StorageType(uint size) => size == 1 ? "byte" : size == 2 ? "ushort" : size == 4 ? "uint" : "ulong";

        private static void EmitEnum(IndentedWriter w, TypeModel type)
        {
            w.Line($"/// <summary>{Origin(type)} ({DocText.Bytes(type.Size)}).</summary>");
            w.Line($"public enum {type.Name} : {type.Underlying}");
            w.Open();
            foreach (var member in type.EnumMembers)
            {
                w.Line($"/// <summary><c>{Identifiers.ForComment(member.CName)}</c></summary>");
                w.Line($"{member.Name} = {member.Value},");
            }
            w.Close();
        }

        private static void EmitInlineArray(IndentedWriter w, TypeModel type)
        {
            w.Line($"/// <summary>A C array of {type.Length} <c>{Identifiers.ForComment(ShortElement(type.ElementType!))}</c> ({DocText.Bytes(type.Size)}); index it or use it as a span.</summary>");
            w.Line($"[global::System.Runtime.CompilerServices.InlineArray({Literals.Number(type.Length)})]");
            w.Line($"public struct {type.Name}");
            w.Open();
            w.Line($"private {type.ElementType} _element0;");
            w.Close();
        }

        private static string ShortElement(string typeRef)
        {
            var dot = typeRef.LastIndexOf('.');
            return dot < 0 ? typeRef : typeRef.Substring(dot + 1);
        }
    }
}
