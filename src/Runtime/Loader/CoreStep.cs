using Ebpf.Core;
using Ebpf.Object;

namespace Ebpf.Loader;

/// <summary>
/// CO-RE: the program's field offsets, sizes and type facts rewritten for the running kernel's BTF (or the one
/// named in the options) by <see cref="CoreRelocator"/>, before maps are patched in. Programs without CO-RE
/// relocations keep their instructions (copied, since the loader patches them).
/// </summary>
internal static class CoreStep
{
    public static byte[] Relocate(ObjectSpec obj, ProgramSpec program, BpfObjectOptions options, out IReadOnlyList<CoreRelocationFailure> failures)
    {
        failures = Array.Empty<CoreRelocationFailure>();
        if (program.CoreRelocations.Count == 0)
            return (byte[])program.Instructions.Clone();
        var target = options.KernelBtfPath is { } path ? CoreTarget.FromFile(path) : null;
        var result = CoreRelocator.Relocate(obj, program, target);
        failures = result.Failures;
        // Unsatisfied relocations poisoned their instruction: the verifier refuses the program only if that code
        // is reachable, and the failures are then explained by the verifier error (see ProgramLoader).
        return ReferenceEquals(result.Instructions, program.Instructions) ? (byte[])result.Instructions.Clone() : result.Instructions;
    }
}
