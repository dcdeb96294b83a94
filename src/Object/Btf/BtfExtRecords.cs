namespace Ebpf.Btf
{
    /// <summary>A bpf_func_info: the function starting at <paramref name="InstructionOffset"/> (an instruction index,
    /// as BPF_PROG_LOAD wants) has the BTF FUNC <paramref name="TypeId"/>.</summary>
    public readonly record struct FuncInfo(uint InstructionOffset, uint TypeId);

    /// <summary>A bpf_line_info: <paramref name="InstructionOffset"/> is an instruction index; <paramref name="FileNameOffset"/>
    /// and <paramref name="LineOffset"/> are offsets into the BTF string section; <paramref name="LineCol"/> is line &lt;&lt; 10 | column.</summary>
    public readonly record struct LineInfo(uint InstructionOffset, uint FileNameOffset, uint LineOffset, uint LineCol)
    {
        public uint Line => LineCol >> 10;

        public uint Column => LineCol & 0x3ff;
    }

    /// <summary>bpf_core_relo_kind, same numbers as the kernel.</summary>
    public enum CoreRelocationKind : uint
    {
        FieldByteOffset = 0,
        FieldByteSize,
        FieldExists,
        FieldSigned,
        FieldLShiftU64,
        FieldRShiftU64,
        TypeIdLocal,
        TypeIdTarget,
        TypeExists,
        TypeSize,
        EnumValueExists,
        EnumValue,
        TypeMatches,
    }

    /// <summary>A CO-RE relocation: <paramref name="InstructionOffset"/> is an instruction index (multiply by 8 for the
    /// kernel's bpf_core_relo), <paramref name="TypeId"/> the local BTF type, <paramref name="AccessString"/> e.g. "0:1:2".</summary>
    public readonly record struct CoreRelocation(uint InstructionOffset, uint TypeId, string AccessString, CoreRelocationKind Kind);
}
