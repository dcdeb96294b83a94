using System.Globalization;
using System.Text;
using Ebpf.Btf;

namespace Ebpf.Build.Vmlinux;

/// <summary>
/// Writes C declarations of BTF types: the declarator is built inside-out, so pointers to arrays and
/// functions get their parentheses (<c>int (*handler)(void *, int)</c>, <c>char (*name)[16]</c>), and
/// anonymous structs, unions and enums are written inline where they are used.
/// </summary>
internal sealed class CDeclarators
{
    private readonly BtfSpec spec;
    private readonly CNames names;
    private readonly CLayout layout;

    private readonly HashSet<uint> inlineEnums;

    /// <param name="inlineEnums">Anonymous enums used in exactly one place: written inline there. Others are written at top level once.</param>
    public CDeclarators(BtfSpec spec, CNames names, CLayout layout, HashSet<uint> inlineEnums)
    {
        this.inlineEnums = inlineEnums;
        this.spec = spec;
        this.names = names;
        this.layout = layout;
    }

    /// <summary>"type declarator", e.g. Declare(ptr to int, "p") = "int *p"; an empty declarator gives just the type.</summary>
    public string Declare(uint typeId, string declarator, int indent)
    {
        // Bounded by the type graph's depth; a modifier or typedef cycle would be malformed BTF.
        var t = spec[typeId];
        switch (t)
        {
            case BtfVoid:
                return Join("void", declarator);
            case BtfInt or BtfFloat:
                return Join(t.Name, declarator);
            case BtfPtr p:
            {
                var target = spec[p.TargetId];
                var inner = "*" + declarator;
                if (target is BtfArray or BtfFuncProto)
                    inner = "(" + inner + ")";
                return Declare(p.TargetId, inner, indent);
            }
            case BtfArray a:
                return Declare(a.ElementId, declarator + "[" + a.Length.ToString(CultureInfo.InvariantCulture) + "]", indent);
            case BtfFuncProto f:
                return Declare(f.ReturnId, declarator + "(" + Parameters(f, indent) + ")", indent);
            case BtfRef { Kind: BtfKind.Typedef } builtin when VmlinuxWriter.IsCompilerBuiltin(builtin):
                // Written as what the kernel's compiler meant by it, which keeps the kernel's layout.
                return Declare(builtin.TargetId, declarator, indent);
            case BtfRef { Kind: BtfKind.Typedef }:
                return Join(names.Of(typeId), declarator);
            case BtfRef { Kind: BtfKind.TypeTag } tag:
                return Declare(tag.TargetId, declarator, indent);
            case BtfRef q:
            {
                var qualifier = q.Kind switch
                {
                    BtfKind.Const => "const",
                    BtfKind.Volatile => "volatile",
                    _ => "restrict",
                };
                // A qualified pointer: the qualifier follows the star ("char *const p").
                if (spec[q.TargetId] is BtfPtr)
                    return Declare(q.TargetId, Join(qualifier, declarator), indent);
                if (q.Kind == BtfKind.Restrict)
                    return Declare(q.TargetId, declarator, indent); // restrict on a non-pointer is not C
                // A qualified array is an array of qualified elements; BTF may say it twice (const array of const u8).
                if (spec[q.TargetId] is BtfArray && ElementHasQualifier(q.TargetId, q.Kind))
                    return Declare(q.TargetId, declarator, indent);
                return qualifier + " " + Declare(q.TargetId, declarator, indent);
            }
            case BtfComposite c when c.Name.Length == 0:
                return Join(CompositeBody(c, indent), declarator);
            case BtfComposite c:
                return Join((c.IsUnion ? "union " : "struct ") + names.Of(typeId), declarator);
            case BtfEnum e when e.Name.Length == 0 && inlineEnums.Contains(typeId):
                return Join(EnumBody(e, indent), declarator);
            case BtfEnum e when e.Name.Length == 0:
                // Used in several places: its constants are written once at top level, uses get its integer type.
                return Join(EnumIntegerType(e), declarator);
            case BtfEnum:
                return Join("enum " + names.Of(typeId), declarator);
            case BtfFwd fwd:
                return Join((fwd.IsUnion ? "union " : "struct ") + names.Of(typeId), declarator);
            default:
                // FUNC, VAR, DATASEC, DECL_TAG never appear as the type of a member or typedef.
                return Join("void", declarator);
        }
    }

    private bool ElementHasQualifier(uint arrayId, BtfKind qualifier)
    {
        var element = spec[arrayId];
        for (var steps = 0; element is BtfArray a && steps < 64; steps++)
            element = spec[a.ElementId];
        return element.Kind == qualifier;
    }

    private static string EnumIntegerType(BtfEnum e) => (e.Size, e.IsSigned) switch
    {
        (1, true) => "signed char",
        (1, false) => "unsigned char",
        (2, true) => "short",
        (2, false) => "unsigned short",
        (8, true) => "long long",
        (8, false) => "unsigned long long",
        (_, true) => "int",
        _ => "unsigned int",
    };

    private string Parameters(BtfFuncProto f, int indent)
    {
        if (f.Params.Count == 0)
            return "void";
        var parts = new List<string>(f.Params.Count);
        for (var i = 0; i < f.Params.Count; i++)
        {
            var p = f.Params[i];
            parts.Add(p.TypeId == 0 && i == f.Params.Count - 1 ? "..." : Declare(p.TypeId, "", indent));
        }
        return string.Join(", ", parts);
    }

    /// <summary>"struct name {\n members \n}" (no trailing semicolon), with padding and packing as <see cref="CLayout"/> decides.</summary>
    public string CompositeBody(BtfComposite c, int indent)
    {
        var sb = new StringBuilder();
        sb.Append(c.IsUnion ? "union" : "struct");
        if (c.Name.Length != 0)
            sb.Append(' ').Append(names.Of(c.Id));
        sb.Append(" {\n");
        var packed = layout.IsPacked(c);
        var memberIndent = new string('\t', indent + 1);
        ulong bit = 0;
        foreach (var m in c.Members)
        {
            var width = layout.BitfieldWidth(m);
            if (!c.IsUnion)
            {
                var natural = layout.NaturalOffset(bit, m, packed);
                if (m.BitOffset > natural)
                    foreach (var pad in CLayout.Padding(bit, m.BitOffset))
                        sb.Append(memberIndent).Append(pad).Append('\n');
            }
            sb.Append(memberIndent).Append(Declare(m.TypeId, m.Name, indent + 1));
            if (width != 0)
                sb.Append(": ").Append(width.ToString(CultureInfo.InvariantCulture));
            sb.Append(";\n");
            if (!c.IsUnion)
                bit = m.BitOffset + (width != 0 ? width : SizeInBits(m.TypeId));
        }
        if (!c.IsUnion)
        {
            var end = c.Size * 8UL;
            var align = packed ? 8UL : layout.AlignOf(c.Id) * 8UL;
            if (CLayout.AlignUp(bit, align) < end)
                foreach (var pad in CLayout.Padding(bit, end))
                    sb.Append(memberIndent).Append(pad).Append('\n');
        }
        sb.Append(new string('\t', indent)).Append('}');
        if (packed)
            sb.Append(" __attribute__((packed))");
        return sb.ToString();
    }

    /// <summary>"enum name {\n values \n}" (no trailing semicolon); sizes other than 4 bytes carry a mode attribute.</summary>
    public string EnumBody(BtfEnum e, int indent)
    {
        var sb = new StringBuilder("enum");
        if (e.Name.Length != 0)
            sb.Append(' ').Append(names.Of(e.Id));
        sb.Append(" {\n");
        var valueIndent = new string('\t', indent + 1);
        for (var i = 0; i < e.Values.Count; i++)
            sb.Append(valueIndent).Append(names.Enumerator(e.Id, i)).Append(" = ").Append(Literal(e, e.Values[i].Value)).Append(",\n");
        sb.Append(new string('\t', indent)).Append('}');
        var mode = e.Size switch { 1 => "QI", 2 => "HI", 8 => "DI", _ => null };
        if (mode != null)
            sb.Append(" __attribute__((mode(").Append(mode).Append(")))");
        return sb.ToString();
    }

    private static string Literal(BtfEnum e, long value)
    {
        if (e.Kind == BtfKind.Enum64)
        {
            if (!e.IsSigned)
                return unchecked((ulong)value).ToString(CultureInfo.InvariantCulture) + "ULL";
            return value == long.MinValue ? "(-9223372036854775807LL - 1)" : value.ToString(CultureInfo.InvariantCulture) + "LL";
        }
        if (e.IsSigned)
            return unchecked((int)value).ToString(CultureInfo.InvariantCulture);
        return unchecked((uint)value).ToString(CultureInfo.InvariantCulture) + (unchecked((uint)value) > int.MaxValue ? "U" : "");
    }

    private ulong SizeInBits(uint typeId)
    {
        try { return spec.SizeOf(typeId) * 8UL; }
        catch (Ebpf.Object.ObjectFormatException) { return 0; }
    }

    private static string Join(string type, string declarator) => declarator.Length == 0 ? type : type + " " + declarator;
}
