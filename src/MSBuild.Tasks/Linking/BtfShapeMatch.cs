using Ebpf.Btf;

namespace Ebpf.Build.Linking;

/// <summary>
/// Whether two sources' BTF describe one key or value type, by libbpf's linker rules for a global symbol's type: past
/// typedefs and qualifiers, the kinds must be equal; structs, unions, enums and forward declarations must have the same
/// name; integers, floats and enums the same size; a struct or union (compared in full) the same fields, by name and
/// offset, of matching types. Behind a pointer only the shape counts (a forward declaration matches its struct), and an
/// array's length is not compared, as libbpf does not. Two structs of one name and size but other fields are the case a
/// name alone would miss.
/// </summary>
internal static class BtfShapeMatch
{
    /// <summary>A difference: what differs (in the words of the error) and how each side has it.</summary>
    public readonly record struct Mismatch(string What, string Mine, string Theirs);

    private const int MaxDepth = 32;

    /// <summary>The first difference between type <paramref name="idA"/> of <paramref name="a"/> and <paramref name="idB"/> of <paramref name="b"/>, or null when they match.</summary>
    public static Mismatch? Difference(BtfSpec a, uint idA, BtfSpec b, uint idB) => Compare(a, idA, b, idB, exact: true, "", 0);

    private static Mismatch? Compare(BtfSpec a, uint idA, BtfSpec b, uint idB, bool exact, string path, int depth)
    {
        if (depth > MaxDepth)
            return null; // as deep as any map key or value goes; a deeper chain is a cycle through pointers, compared already
        var t1 = a.Resolve(idA);
        var t2 = b.Resolve(idB);
        string At(string what) => path.Length == 0 ? what : $"{what} of {path}";

        if (!exact && (t1 is BtfFwd) != (t2 is BtfFwd))
        {
            // behind a pointer a forward declaration stands for its struct or union: only the names must agree
            return t1.Name == t2.Name && IsUnion(t1) == IsUnion(t2) ? null : TypeMismatch(At("the type"), t1, t2);
        }
        if (t1.Kind != t2.Kind)
            return TypeMismatch(At("the type"), t1, t2);
        if (t1 is BtfComposite or BtfEnum or BtfFwd && t1.Name != t2.Name)
            return TypeMismatch(At("the type"), t1, t2);

        switch (t1)
        {
            case BtfVoid or BtfFwd:
                return null;
            case BtfInt i1 when t2 is BtfInt i2:
                return i1.Size == i2.Size ? null : new Mismatch(At($"the size of '{Describe(t1)}'"), i1.Size + " bytes", i2.Size + " bytes");
            case BtfFloat f1 when t2 is BtfFloat f2:
                return f1.Size == f2.Size ? null : new Mismatch(At($"the size of '{Describe(t1)}'"), f1.Size + " bytes", f2.Size + " bytes");
            case BtfEnum e1 when t2 is BtfEnum e2:
                return e1.Size == e2.Size ? null : new Mismatch(At($"the size of '{Describe(t1)}'"), e1.Size + " bytes", e2.Size + " bytes");
            case BtfPtr p1 when t2 is BtfPtr p2:
                return Compare(a, p1.TargetId, b, p2.TargetId, exact: false, path.Length == 0 ? "the pointer's target" : $"the pointer's target in {path}", depth + 1);
            case BtfArray r1 when t2 is BtfArray r2:
                return Compare(a, r1.ElementId, b, r2.ElementId, exact, path, depth + 1);
            case BtfComposite c1 when t2 is BtfComposite c2:
                if (!exact)
                    return null;
                var name = Describe(t1);
                if (c1.Members.Count != c2.Members.Count)
                    return new Mismatch(At($"the number of fields of '{name}'"), c1.Members.Count.ToString(), c2.Members.Count.ToString());
                for (var i = 0; i < c1.Members.Count; i++)
                {
                    var (m1, m2) = (c1.Members[i], c2.Members[i]);
                    if (m1.Name != m2.Name)
                        return new Mismatch(At($"field #{i + 1} of '{name}'"), $"'{m1.Name}'", $"'{m2.Name}'");
                    if (m1.BitOffset != m2.BitOffset || m1.BitfieldSize != m2.BitfieldSize)
                        return new Mismatch(At($"the offset of '{name}.{m1.Name}'"), Offset(m1), Offset(m2));
                    if (Compare(a, m1.TypeId, b, m2.TypeId, exact, $"'{name}.{m1.Name}'", depth + 1) is { } inner)
                        return inner;
                }
                return null;
            case BtfFuncProto f1 when t2 is BtfFuncProto f2:
                if (f1.Params.Count != f2.Params.Count)
                    return new Mismatch(At("the number of parameters"), f1.Params.Count.ToString(), f2.Params.Count.ToString());
                for (var i = 0; i < f1.Params.Count; i++)
                    if (Compare(a, f1.Params[i].TypeId, b, f2.Params[i].TypeId, exact, $"parameter #{i + 1}", depth + 1) is { } param)
                        return param;
                return Compare(a, f1.ReturnId, b, f2.ReturnId, exact, "the return type", depth + 1);
            default:
                return null; // no other kind is a map's key or value
        }
    }

    private static Mismatch TypeMismatch(string what, BtfType t1, BtfType t2) => new(what, $"'{Describe(t1)}'", $"'{Describe(t2)}'");

    private static bool IsUnion(BtfType t) => t is BtfComposite { IsUnion: true } or BtfFwd { IsUnion: true };

    private static string Offset(BtfMember m) => m.BitfieldSize == 0 ? $"bit {m.BitOffset}" : $"bit {m.BitOffset} ({m.BitfieldSize}-bit field)";

    /// <summary>The type as an error names it: "struct link_counts", "int", "a pointer".</summary>
    public static string Describe(BtfType t) => t switch
    {
        BtfComposite c => (c.IsUnion ? "union " : "struct ") + Named(t),
        BtfFwd f => (f.IsUnion ? "union " : "struct ") + Named(t) + " (declared only)",
        BtfEnum => "enum " + Named(t),
        BtfPtr => "a pointer",
        BtfArray => "an array",
        BtfVoid => "void",
        _ => t.Name.Length > 0 ? t.Name : t.Kind.ToString().ToLowerInvariant(),
    };

    private static string Named(BtfType t) => t.Name.Length > 0 ? t.Name : "(anonymous)";
}
