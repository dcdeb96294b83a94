namespace Ebpf.Generator.Model
{
    // The generator's own description of one skeleton: plain strings and numbers only, so two parses of the
    // same object compare equal and the emit step is skipped. Identifiers in here are already sanitized C#
    // identifiers; names copied from the object (map, program, section names) are raw and escaped at emit.

    /// <summary>Everything needed to write one skeleton source file, plus the diagnostics found on the way.</summary>
    internal sealed record SkeletonModel(
        string Namespace,                       // sanitized dotted name; "" = global namespace
        string ClassName,
        string ResourceName,                    // raw; emitted as an escaped string literal
        string SourceFile,                      // the .bpf.c (or the .b64 when unknown): diagnostics point here
        string ObjectFileName,                  // for comments only (sanitized at emit)
        string MapSetClass,
        string ProgramSetClass,
        EquatableArray<MapModel> Maps,
        EquatableArray<ProgramModel> Programs,
        EquatableArray<SectionModel> Sections,
        EquatableArray<TypeModel> Types,
        EquatableArray<DiagnosticInfo> Diagnostics,
        bool CanGenerate)                       // false when the object could not be read: only diagnostics
    {
        /// <summary>"global::Ns.XSkel.": the prefix of every generated nested type's fully qualified name.</summary>
        public string TypePrefix => QualifiedClassName + ".";

        public string QualifiedClassName => Namespace.Length == 0 ? "global::" + ClassName : "global::" + Namespace + "." + ClassName;

        /// <summary>Access="internal" on the BpfSource: the skeleton class is internal, so its nested types are too.</summary>
        public bool IsInternal { get; init; }

        public string Modifier => IsInternal ? "internal" : "public";

        public string HintName => (Namespace.Length == 0 ? ClassName : Namespace + "." + ClassName) + ".g.cs";
    }

    /// <summary>One BTF-defined map: a property of the skeleton's map set.</summary>
    internal sealed record MapModel(
        string PropertyName,
        string MapName,                         // raw object name, passed to BpfObject.GetMap
        string MapTypeName,                     // "Hash", "RingBuf": for the doc comment
        string ViewType,                        // fully qualified C# type of the property
        bool IsPlain,                           // true: the property is the BpfMap itself, no typed view
        uint KeySize,
        uint ValueSize,
        uint MaxEntries);

    /// <summary>One program: a property of the skeleton's program set.</summary>
    internal sealed record ProgramModel(string PropertyName, string ProgramName, string SectionName, string ClassName);

    /// <summary>One data section with at least one global variable: a property and a nested class of the skeleton.</summary>
    internal sealed record SectionModel(
        string PropertyName,
        string ClassName,
        string SectionName,                     // raw: ".rodata", ".data.custom"
        uint Size,
        bool IsReadOnly,
        EquatableArray<VariableModel> Variables);

    internal sealed record VariableModel(string PropertyName, string CName, string Type, uint Offset, uint Size, bool IsConst);

    internal enum TypeModelKind { Struct, Union, Enum, InlineArray }

    /// <summary>A nested C# type generated from BTF (or a fixed-size array wrapper).</summary>
    internal sealed record TypeModel(
        TypeModelKind Kind,
        string Name,
        string? CType,                          // C spelling that names this type ("struct flow_key", a typedef, or a
                                                // __typeof__ expression for anonymous types); null when not expressible
        uint Size,
        string? Underlying,                     // enums: byte/sbyte/ushort/short/uint/int/ulong/long
        string? ElementType,                    // inline arrays: element type
        uint Length,                            // inline arrays: element count
        EquatableArray<FieldModel> Fields,
        EquatableArray<EnumMemberModel> EnumMembers);

    /// <summary>Plain: a public field. BitfieldStorage: the private field a bitfield's bits live in. Bitfield: a
    /// property over such storage. Lifted: a property forwarding to a member of an anonymous struct/union member,
    /// so <c>x.V4</c> works as in C (<see cref="FieldModel.StorageField"/> holds the access path, "Anonymous.V4").</summary>
    internal enum FieldModelKind { Plain, BitfieldStorage, Bitfield, Lifted }

    internal enum BitfieldValueKind { Unsigned, Signed, Bool, Enum, SignedEnum }

    /// <summary>
    /// A struct/union member. Plain members are public fields at their byte offset. A bitfield is a property
    /// over a private storage field (its own <see cref="FieldModelKind.BitfieldStorage"/> entry) that covers
    /// the bitfield's bits: <see cref="Shift"/> is the bitfield's position inside that storage unit.
    /// </summary>
    internal sealed record FieldModel(
        FieldModelKind Kind,
        string Name,
        string CName,                           // raw member name ("" for anonymous members)
        string Type,
        uint Offset,                            // byte offset (storage offset for bitfields)
        uint Size,                              // bytes (storage size for bitfields)
        string? StorageField,                   // bitfields: the private field holding the bits
        uint Shift,
        uint Bits,
        BitfieldValueKind ValueKind);

    internal sealed record EnumMemberModel(string Name, string CName, string Value);
}
