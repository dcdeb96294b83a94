using Ebpf.Btf;

namespace Ebpf.Core;

/// <summary>
/// Finds a local access path again in one candidate target type: named members by exact name (looking through
/// anonymous structs/unions at any depth), array indices within bounds, types compatible at every step.
/// </summary>
internal static class CoreSpecMatcher
{
    /// <summary>The target spec, or null when the candidate does not have the path.</summary>
    public static CoreSpec? Match(CoreSpec local, BtfSpec target, uint targetId)
    {
        var spec = new CoreSpec(target, targetId, local.Kind);
        if (local.Kind.IsTypeBased())
        {
            var ok = local.Kind == CoreRelocationKind.TypeMatches
                ? CoreTypeRules.TypesMatch(local.Btf, local.RootTypeId, target, targetId)
                : CoreTypeRules.TypesAreCompatible(local.Btf, local.RootTypeId, target, targetId);
            return ok ? spec : null;
        }

        if (local.Kind.IsEnumValueBased())
        {
            if (target.Resolve(targetId) is not BtfEnum e)
                return null;
            var wanted = local.Accessors[0].Name!;
            var wantedLength = CoreNames.EssentialLength(wanted);
            for (var i = 0; i < e.Values.Count; i++)
            {
                var name = e.Values[i].Name;
                if (CoreNames.EssentialLength(name) == wantedLength && string.CompareOrdinal(wanted, 0, name, 0, wantedLength) == 0)
                {
                    spec.Accessors.Add(new CoreAccessor(e.Id, i, name));
                    spec.Raw.Add(i);
                    return spec;
                }
            }
            return null;
        }

        var id = targetId;
        for (var i = 0; i < local.Accessors.Count; i++)
        {
            var localAcc = local.Accessors[i];
            var t = target.Resolve(id);
            id = t.Id;
            if (localAcc.Name is not null)
            {
                if (!MatchMember(local.Btf, localAcc, target, id, spec, out id))
                    return null;
                continue;
            }
            // The root accessor indexes the root type itself; later ones index an array's elements.
            if (i > 0)
            {
                if (t is not BtfArray a)
                    return null;
                var flexible = CoreSpecParser.IsFlexibleArray(target, spec.Accessors[^1], a);
                if (!flexible && localAcc.Index >= a.Length)
                    return null;
                id = target.Resolve(a.ElementId).Id;
            }
            if (spec.Raw.Count == CoreSpec.MaxLength)
                throw new CoreError($"the target's access path is longer than {CoreSpec.MaxLength} steps");
            spec.Accessors.Add(new CoreAccessor(id, localAcc.Index, null));
            spec.Raw.Add(localAcc.Index);
            spec.BitOffset += (long)localAcc.Index * CoreSpecParser.SizeOf(target, id) * 8;
        }
        return spec;
    }

    // Depth-first over the target's members; anonymous members are searched recursively. On success the
    // target spec holds the member's accessor and offset, and next is the member's type.
    private static bool MatchMember(BtfSpec localBtf, CoreAccessor localAcc, BtfSpec target, uint targetId, CoreSpec spec, out uint next)
    {
        next = 0;
        if (target.Resolve(targetId) is not BtfComposite composite)
            return false;
        var localMember = ((BtfComposite)localBtf[localAcc.TypeId]).Members[localAcc.Index];
        for (var i = 0; i < composite.Members.Count; i++)
        {
            var m = composite.Members[i];
            if (spec.Raw.Count == CoreSpec.MaxLength)
                throw new CoreError($"the target's struct/union nesting is deeper than {CoreSpec.MaxLength}");
            spec.BitOffset += m.BitOffset;
            spec.Raw.Add(i);
            if (m.Name.Length == 0)
            {
                if (MatchMember(localBtf, localAcc, target, m.TypeId, spec, out next))
                    return true;
            }
            else if (m.Name == localMember.Name)
            {
                // libbpf stops at the first member with the name: an incompatible type is a mismatch, not a reason to look further
                if (!CoreTypeRules.FieldsAreCompatible(localBtf, localMember.TypeId, target, m.TypeId))
                {
                    spec.BitOffset -= m.BitOffset;
                    spec.Raw.RemoveAt(spec.Raw.Count - 1);
                    return false;
                }
                spec.Accessors.Add(new CoreAccessor(composite.Id, i, m.Name));
                next = m.TypeId;
                return true;
            }
            spec.BitOffset -= m.BitOffset;
            spec.Raw.RemoveAt(spec.Raw.Count - 1);
        }
        return false;
    }
}
