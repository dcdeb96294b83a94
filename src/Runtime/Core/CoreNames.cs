using Ebpf.Btf;

namespace Ebpf.Core;

/// <summary>
/// Names as CO-RE compares them. A local type may carry a "flavor" suffix (<c>task_struct___old</c>) so one
/// program can describe several kernel layouts of the same type; the essential name drops it.
/// </summary>
internal static class CoreNames
{
    /// <summary>
    /// Length of the name without its flavor: everything before the last <c>X___Y</c> separator where X and Y
    /// are not underscores (so <c>__u32</c> or <c>a____b</c> keep their underscores).
    /// </summary>
    public static int EssentialLength(string name)
    {
        for (var i = name.Length - 5; i >= 0; i--)
        {
            if (name[i] != '_' && name[i + 1] == '_' && name[i + 2] == '_' && name[i + 3] == '_' && name[i + 4] != '_')
                return i + 1;
        }
        return name.Length;
    }

    public static string Essential(string name) => name.Substring(0, EssentialLength(name));

    /// <summary>libbpf's name rule for "type matches": an anonymous target only matches an anonymous local; otherwise the essential names are equal.</summary>
    public static bool Match(string local, string target)
    {
        if (target.Length == 0)
            return local.Length == 0;
        var l = EssentialLength(local);
        return l == EssentialLength(target) && string.CompareOrdinal(local, 0, target, 0, l) == 0;
    }

    /// <summary>C-like description of a type for messages: "struct task_struct", "enum pid_type", "typedef u32".</summary>
    public static string Describe(BtfType t)
    {
        var name = t.Name.Length == 0 ? "<anon>" : t.Name;
        return t.Kind switch
        {
            BtfKind.Struct => "struct " + name,
            BtfKind.Union => "union " + name,
            BtfKind.Enum or BtfKind.Enum64 => "enum " + name,
            BtfKind.Typedef => "typedef " + name,
            BtfKind.Fwd => "fwd " + name,
            _ => $"{t.Kind.ToString().ToLowerInvariant()} {name}",
        };
    }

    /// <summary>libbpf's short names for relocation kinds, so messages read the same as libbpf's logs.</summary>
    public static string KindName(CoreRelocationKind kind) => kind switch
    {
        CoreRelocationKind.FieldByteOffset => "byte_off",
        CoreRelocationKind.FieldByteSize => "byte_sz",
        CoreRelocationKind.FieldExists => "field_exists",
        CoreRelocationKind.FieldSigned => "signed",
        CoreRelocationKind.FieldLShiftU64 => "lshift_u64",
        CoreRelocationKind.FieldRShiftU64 => "rshift_u64",
        CoreRelocationKind.TypeIdLocal => "local_type_id",
        CoreRelocationKind.TypeIdTarget => "target_type_id",
        CoreRelocationKind.TypeExists => "type_exists",
        CoreRelocationKind.TypeMatches => "type_matches",
        CoreRelocationKind.TypeSize => "type_size",
        CoreRelocationKind.EnumValueExists => "enumval_exists",
        CoreRelocationKind.EnumValue => "enumval_value",
        _ => $"unknown({(uint)kind})",
    };

    public static bool IsFieldBased(this CoreRelocationKind kind) => kind <= CoreRelocationKind.FieldRShiftU64;

    public static bool IsTypeBased(this CoreRelocationKind kind) => kind is CoreRelocationKind.TypeIdLocal or CoreRelocationKind.TypeIdTarget
        or CoreRelocationKind.TypeExists or CoreRelocationKind.TypeMatches or CoreRelocationKind.TypeSize;

    public static bool IsEnumValueBased(this CoreRelocationKind kind) => kind is CoreRelocationKind.EnumValueExists or CoreRelocationKind.EnumValue;
}
