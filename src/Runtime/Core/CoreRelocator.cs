using Ebpf.Btf;
using Ebpf.Object;

namespace Ebpf.Core;

/// <summary>One applied relocation: the value the compiler left and the one written for the target.</summary>
internal readonly record struct CoreAppliedRelocation(int InstructionIndex, CoreRelocationKind Kind, string Access, ulong Original, ulong New, bool Poisoned);

/// <summary>A program's instructions after CO-RE, with what was done and what could not be satisfied.</summary>
internal sealed record CoreRelocationResult(byte[] Instructions, IReadOnlyList<CoreAppliedRelocation> Applied, IReadOnlyList<CoreRelocationFailure> Failures);

/// <summary>
/// Resolves the CO-RE relocations of an object's programs against a target BTF, as libbpf does before
/// BPF_PROG_LOAD. One instance per object load: candidate lists are cached per local type and narrowed as
/// relocations match, so every program of the object sees the same choice of target types.
/// </summary>
internal sealed class CoreRelocator
{
    private readonly BtfSpec local;
    private readonly CoreTarget target;
    private readonly Dictionary<uint, List<(BtfSpec Btf, uint Id)>> candidates = new();

    public CoreRelocator(BtfSpec localBtf, CoreTarget target)
    {
        local = localBtf;
        this.target = target;
    }

    /// <summary>
    /// The loader's entry point: returns the program's instructions unchanged when it has no relocations,
    /// otherwise a relocated copy. Unsatisfied relocations poison their instruction and are listed in
    /// <see cref="CoreRelocationResult.Failures"/> for the verifier error; malformed or ambiguous ones throw
    /// <see cref="CoreRelocationException"/>.
    /// </summary>
    public static CoreRelocationResult Relocate(ObjectSpec obj, ProgramSpec program, CoreTarget? target = null)
    {
        if (program.CoreRelocations.Count == 0)
            return new CoreRelocationResult(program.Instructions, [], []);
        if (obj.Btf is null)
            throw new CoreRelocationException($"program '{program.Name}' has CO-RE relocations but the object has no .BTF section; compile with clang -g");
        return new CoreRelocator(obj.Btf, target ?? CoreTarget.RunningKernel).Relocate(program);
    }

    public CoreRelocationResult Relocate(ProgramSpec program)
    {
        var insns = (byte[])program.Instructions.Clone();
        var applied = new List<CoreAppliedRelocation>();
        var failures = new List<CoreRelocationFailure>();
        for (var i = 0; i < program.CoreRelocations.Count; i++)
        {
            var relo = program.CoreRelocations[i];
            CoreSpec? localSpec = null;
            try
            {
                localSpec = CoreSpecParser.Parse(local, relo);
                var (value, reason) = Resolve(localSpec, relo);
                var index = (int)relo.InstructionOffset;
                var poisonReason = CoreInstructionPatcher.Patch(insns, index, value);
                applied.Add(new CoreAppliedRelocation(index, relo.Kind, localSpec.Describe(), value.Original, value.New, poisonReason is not null));
                if (poisonReason is not null)
                    failures.Add(new CoreRelocationFailure(program.Name, index, relo.Kind, CoreNames.Describe(local[relo.TypeId]),
                        relo.AccessString, localSpec.Describe(), reason ?? poisonReason));
            }
            catch (Exception e) when (e is CoreError or ObjectFormatException)
            {
                var type = local.Contains(relo.TypeId) ? CoreNames.Describe(local[relo.TypeId]) : $"type [{relo.TypeId}]";
                throw new CoreRelocationException(
                    $"program '{program.Name}' CO-RE relocation #{i} ({CoreNames.KindName(relo.Kind)} of {type}, access " +
                    $"{localSpec?.Describe() ?? relo.AccessString} ({relo.AccessString}), instruction #{relo.InstructionOffset}) " +
                    $"against {target.Description}: {e.Message}", e);
            }
        }
        return new CoreRelocationResult(insns, applied, failures);
    }

    private (CoreRelocationValue Value, string? Reason) Resolve(CoreSpec localSpec, CoreRelocation relo)
    {
        if (relo.Kind == CoreRelocationKind.TypeIdLocal)
            return (new CoreRelocationValue { Original = relo.TypeId, New = relo.TypeId, Validate = false }, null);

        var localType = local[relo.TypeId];
        if (localType.Name.Length == 0)
            throw new CoreError("CO-RE cannot look up anonymous types in the target; give the type a name");

        if (!candidates.TryGetValue(relo.TypeId, out var cands))
            candidates[relo.TypeId] = cands = target.Candidates(localType).ToList();

        CoreSpec? chosen = null;
        var result = default(CoreRelocationValue);
        var kept = new List<(BtfSpec, uint)>();
        foreach (var cand in cands)
        {
            var candSpec = CoreSpecMatcher.Match(localSpec, cand.Btf, cand.Id);
            if (candSpec is null)
                continue;
            var candValue = CoreRelocationValue.Compute(localSpec, candSpec);
            if (chosen is null)
            {
                chosen = candSpec;
                result = candValue;
            }
            else if (candSpec.BitOffset != chosen.BitOffset)
            {
                throw new CoreError($"ambiguous: target types [{chosen.RootTypeId}] and [{cand.Id}] put the field at different bit offsets ({chosen.BitOffset} and {candSpec.BitOffset})");
            }
            else if (candValue.Poison != result.Poison || candValue.New != result.New)
            {
                throw new CoreError($"ambiguous: target types [{chosen.RootTypeId}] and [{cand.Id}] give different values ({result.New} and {candValue.New})");
            }
            kept.Add(cand);
        }
        if (chosen is not null)
        {
            // later relocations of the same type only consider the candidates that matched this one
            candidates[relo.TypeId] = kept;
            return (result, null);
        }

        var value = CoreRelocationValue.Compute(localSpec, null);
        var reason = cands.Count == 0
            ? $"the target ({target.Description}) has no {KindWord(localType)} named {CoreNames.Essential(localType.Name)}"
            : $"none of the target's {cands.Count} {KindWord(localType)}(s) named {CoreNames.Essential(localType.Name)} has a compatible {localSpec.Describe()}";
        return (value, value.Poison ? reason : null);
    }

    private static string KindWord(BtfType t) => t.Kind switch
    {
        BtfKind.Struct => "struct",
        BtfKind.Union => "union",
        BtfKind.Enum or BtfKind.Enum64 => "enum",
        BtfKind.Typedef => "typedef",
        _ => t.Kind.ToString().ToLowerInvariant(),
    };
}
