using Ebpf.Btf;

namespace Ebpf.Core;

/// <summary>
/// libbpf's three notions of "the same type" across two BTFs: compatible (type-based relocations), compatible
/// as a field (member matching), and the stricter "matches" of bpf_core_type_matches(). Recursion is bounded
/// like libbpf's (depth 32) so hostile BTF cannot loop; exceeding it is an error, not a mismatch.
/// </summary>
internal static class CoreTypeRules
{
    private const int MaxDepth = 32;

    /// <summary>Same kind, except that enum and enum64 may stand for each other.</summary>
    public static bool KindsCompatible(BtfType a, BtfType b) =>
        a.Kind == b.Kind || (IsAnyEnum(a) && IsAnyEnum(b));

    public static bool IsAnyEnum(BtfType t) => t.Kind is BtfKind.Enum or BtfKind.Enum64;

    private static bool IsComposite(BtfType t) => t.Kind is BtfKind.Struct or BtfKind.Union;

    /// <summary>For TYPE_EXISTS / TYPE_SIZE / TYPE_ID_TARGET: shape compatible, names of members not checked.</summary>
    public static bool TypesAreCompatible(BtfSpec local, uint localId, BtfSpec target, uint targetId, int level = MaxDepth)
    {
        if (!KindsCompatible(local[localId], target[targetId]))
            return false;
        for (var depth = MaxDepth; ; )
        {
            if (--depth < 0)
                throw new CoreError("type compatibility check nests deeper than 32 levels");
            var l = local.Resolve(localId);
            var t = target.Resolve(targetId);
            if (!KindsCompatible(l, t))
                return false;
            switch (l)
            {
                case BtfVoid or BtfComposite or BtfEnum or BtfFwd:
                    return true;
                case BtfInt li:
                    // bitfield-like integers (offset != 0) are deprecated and never compatible
                    return li.BitOffset == 0 && ((BtfInt)t).BitOffset == 0;
                case BtfPtr lp:
                    localId = lp.TargetId;
                    targetId = ((BtfPtr)t).TargetId;
                    continue;
                case BtfArray la:
                    localId = la.ElementId;
                    targetId = ((BtfArray)t).ElementId;
                    continue;
                case BtfFuncProto lf:
                    var tf = (BtfFuncProto)t;
                    if (lf.Params.Count != tf.Params.Count)
                        return false;
                    for (var i = 0; i < lf.Params.Count; i++)
                    {
                        if (level <= 0)
                            throw new CoreError("function prototype compatibility check nests too deep");
                        if (!TypesAreCompatible(local, local.Resolve(lf.Params[i].TypeId).Id, target, target.Resolve(tf.Params[i].TypeId).Id, level - 1))
                            return false;
                    }
                    localId = local.Resolve(lf.ReturnId).Id;
                    targetId = target.Resolve(tf.ReturnId).Id;
                    continue;
                default:
                    return false;
            }
        }
    }

    /// <summary>
    /// For member matching: any two structs/unions, any two pointers or floats, ints unless bitfield-encoded,
    /// enums and forward declarations whose essential names agree (or one is anonymous), arrays by element.
    /// </summary>
    public static bool FieldsAreCompatible(BtfSpec local, uint localId, BtfSpec target, uint targetId)
    {
        for (var depth = 0; depth <= MaxDepth; depth++)
        {
            var l = local.Resolve(localId);
            var t = target.Resolve(targetId);
            if (IsComposite(l) && IsComposite(t))
                return true;
            if (!KindsCompatible(l, t))
                return false;
            switch (l)
            {
                case BtfPtr or BtfFloat:
                    return true;
                case BtfFwd or BtfEnum:
                    var ll = CoreNames.EssentialLength(l.Name);
                    var tl = CoreNames.EssentialLength(t.Name);
                    return ll == 0 || tl == 0 || (ll == tl && string.CompareOrdinal(l.Name, 0, t.Name, 0, ll) == 0);
                case BtfInt li:
                    return li.BitOffset == 0 && ((BtfInt)t).BitOffset == 0;
                case BtfArray la:
                    localId = la.ElementId;
                    targetId = ((BtfArray)t).ElementId;
                    continue;
                default:
                    return false;
            }
        }
        throw new CoreError("field compatibility check nests deeper than 32 levels");
    }

    /// <summary>bpf_core_type_matches(): names, kinds, int size and sign, enum names, members by name, all recursively.</summary>
    public static bool TypesMatch(BtfSpec local, uint localId, BtfSpec target, uint targetId) =>
        Match(local, localId, target, targetId, behindPointer: false, MaxDepth);

    private static bool Match(BtfSpec local, uint localId, BtfSpec target, uint targetId, bool behindPointer, int level)
    {
        if (level <= 0)
            throw new CoreError("type match nests deeper than 32 levels");
        for (var depth = MaxDepth; ; )
        {
            if (--depth < 0)
                throw new CoreError("type match nests deeper than 32 levels");
            var l = local.Resolve(localId);
            var t = target.Resolve(targetId);
            if (!CoreNames.Match(l.Name, t.Name))
                return false;
            switch (l)
            {
                case BtfVoid:
                    return t.Kind == BtfKind.Void;
                case BtfFwd lf:
                    if (behindPointer && t is BtfComposite tc)
                        return tc.IsUnion == lf.IsUnion; // a forward declaration names a struct or a union
                    return t is BtfFwd tf && tf.IsUnion == lf.IsUnion;
                case BtfEnum le:
                    return t is BtfEnum te && EnumsMatch(le, te);
                case BtfComposite lc:
                    if (behindPointer)
                    {
                        if (l.Kind == t.Kind)
                            return true;
                        return t is BtfFwd fwd && fwd.IsUnion == lc.IsUnion;
                    }
                    return l.Kind == t.Kind && CompositesMatch(local, lc, target, (BtfComposite)t, level);
                case BtfInt li:
                    return t is BtfInt ti && li.Size == ti.Size && li.IsSigned == ti.IsSigned;
                case BtfPtr lp:
                    if (t is not BtfPtr tp)
                        return false;
                    behindPointer = true;
                    localId = lp.TargetId;
                    targetId = tp.TargetId;
                    continue;
                case BtfArray la:
                    if (t is not BtfArray ta || la.Length != ta.Length)
                        return false;
                    localId = la.ElementId;
                    targetId = ta.ElementId;
                    continue;
                case BtfFuncProto lfp:
                    if (t is not BtfFuncProto tfp || lfp.Params.Count != tfp.Params.Count)
                        return false;
                    for (var i = 0; i < lfp.Params.Count; i++)
                        if (!Match(local, lfp.Params[i].TypeId, target, tfp.Params[i].TypeId, behindPointer, level - 1))
                            return false;
                    localId = lfp.ReturnId;
                    targetId = tfp.ReturnId;
                    continue;
                default:
                    return false;
            }
        }
    }

    private static bool EnumsMatch(BtfEnum local, BtfEnum target)
    {
        if (local.Size != target.Size || local.Values.Count > target.Values.Count)
            return false;
        foreach (var lv in local.Values)
            if (!target.Values.Any(tv => CoreNames.Match(lv.Name, tv.Name)))
                return false;
        return true;
    }

    private static bool CompositesMatch(BtfSpec local, BtfComposite l, BtfSpec target, BtfComposite t, int level)
    {
        if (l.Members.Count > t.Members.Count)
            return false;
        foreach (var lm in l.Members)
        {
            var matched = false;
            foreach (var tm in t.Members)
            {
                if (!CoreNames.Match(lm.Name, tm.Name))
                    continue;
                if (Match(local, lm.TypeId, target, tm.TypeId, behindPointer: false, level - 1))
                {
                    matched = true;
                    break;
                }
            }
            if (!matched)
                return false;
        }
        return true;
    }
}
