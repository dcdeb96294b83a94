namespace Ebpf.Build.Types;

/// <summary>How a name given in <c>Types</c> is declared in C: a tag (struct/union/enum) or a typedef name.</summary>
internal enum TypeKind { Struct, Union, Enum, Typedef }

internal static class TypeKinds
{
    /// <summary>Probed in this order; a name that is both a tag and a typedef (<c>typedef struct event event;</c>) is the tag.</summary>
    public static readonly TypeKind[] ProbeOrder = [TypeKind.Struct, TypeKind.Union, TypeKind.Enum, TypeKind.Typedef];

    /// <summary>The C spelling of the type: <c>struct event</c>, or the bare typedef name.</summary>
    public static string Spell(TypeKind kind, string name) => kind switch
    {
        TypeKind.Struct => "struct " + name,
        TypeKind.Union => "union " + name,
        TypeKind.Enum => "enum " + name,
        _ => name,
    };
}
