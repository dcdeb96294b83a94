using Ebpf.Btf;

namespace Ebpf;

/// <summary>
/// A CO-RE relocation the target kernel could not satisfy. Its instruction was replaced by a call of the invalid
/// helper 195896080 (0xbad2310): harmless in code the program guards with bpf_core_field_exists() and the like,
/// and the reason the verifier rejects the program otherwise ("invalid func unknown#195896080").
/// </summary>
/// <param name="Program">The program's name.</param>
/// <param name="InstructionIndex">Index of the poisoned instruction in the program's linked instructions.</param>
/// <param name="Kind">What the program asked for (field offset, type size, enum value, ...).</param>
/// <param name="LocalType">The type as the program declared it, e.g. "struct task_struct___old".</param>
/// <param name="AccessString">The compiler's access string, e.g. "0:1".</param>
/// <param name="Access">The same path in C terms, e.g. "task_struct___old.tgid".</param>
/// <param name="Reason">Why it failed.</param>
public sealed record CoreRelocationFailure(string Program, int InstructionIndex, CoreRelocationKind Kind, string LocalType,
    string AccessString, string Access, string Reason)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"program '{Program}' instruction #{InstructionIndex}: CO-RE {Core.CoreNames.KindName(Kind)} of {LocalType} access {Access} ({AccessString}): {Reason}";
}
