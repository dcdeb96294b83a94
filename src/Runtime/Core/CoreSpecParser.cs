using Ebpf.Btf;

namespace Ebpf.Core;

/// <summary>Turns a relocation's access string ("0:1:2") into a <see cref="CoreSpec"/> on the object's own BTF.</summary>
internal static class CoreSpecParser
{
    public static CoreSpec Parse(BtfSpec btf, CoreRelocation relo)
    {
        var text = relo.AccessString;
        if (text.Length == 0 || text[0] == ':')
            throw new CoreError($"access string '{text}' is empty or starts with ':'");
        if (!btf.Contains(relo.TypeId) || relo.TypeId == 0)
            throw new CoreError($"type id {relo.TypeId} is not in the object's BTF");

        var spec = new CoreSpec(btf, relo.TypeId, relo.Kind);
        if (relo.Kind.IsTypeBased())
        {
            if (text != "0")
                throw new CoreError($"type-based relocation with access string '{text}' (expected \"0\")");
            return spec;
        }

        foreach (var part in text.Split(':'))
        {
            if (!int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
                throw new CoreError($"access string '{text}' has a non-numeric part '{part}'");
            if (spec.Raw.Count == CoreSpec.MaxLength)
                throw new CoreError($"access string '{text}' is longer than {CoreSpec.MaxLength} steps");
            spec.Raw.Add(index);
        }

        var t = btf.Resolve(relo.TypeId);
        var first = spec.Raw[0];

        if (relo.Kind.IsEnumValueBased())
        {
            if (t is not BtfEnum e || spec.Raw.Count > 1 || first >= e.Values.Count)
                throw new CoreError($"enum value relocation '{text}' does not name a value of {CoreNames.Describe(t)}");
            spec.Accessors.Add(new CoreAccessor(t.Id, first, e.Values[first].Name));
            return spec;
        }
        if (!relo.Kind.IsFieldBased())
            throw new CoreError($"relocation kind {(uint)relo.Kind} is not known");

        spec.Accessors.Add(new CoreAccessor(t.Id, first, null));
        spec.BitOffset = (long)first * SizeOf(btf, t.Id) * 8;
        var id = t.Id;
        for (var i = 1; i < spec.Raw.Count; i++)
        {
            t = btf.Resolve(id);
            var index = spec.Raw[i];
            switch (t)
            {
                case BtfComposite c:
                    if (index >= c.Members.Count)
                        throw new CoreError($"access string '{text}': {CoreNames.Describe(c)} has no member #{index}");
                    var m = c.Members[index];
                    spec.BitOffset += m.BitOffset;
                    if (m.Name.Length != 0)
                        spec.Accessors.Add(new CoreAccessor(c.Id, index, m.Name));
                    id = m.TypeId;
                    break;
                case BtfArray a:
                    var element = btf.Resolve(a.ElementId);
                    var flexible = IsFlexibleArray(btf, spec.Accessors[^1], a);
                    if (!flexible && index >= a.Length)
                        throw new CoreError($"access string '{text}': index {index} is outside the array of {a.Length}");
                    spec.Accessors.Add(new CoreAccessor(element.Id, index, null));
                    spec.BitOffset += (long)index * SizeOf(btf, element.Id) * 8;
                    id = element.Id;
                    break;
                default:
                    throw new CoreError($"access string '{text}' step {i} indexes into {CoreNames.Describe(t)}, which is neither a struct, a union nor an array");
            }
        }
        return spec;
    }

    /// <summary>A zero-length array that is the last member of its struct (C flexible array): any index is allowed.</summary>
    public static bool IsFlexibleArray(BtfSpec btf, CoreAccessor enclosing, BtfArray array)
    {
        if (enclosing.Name is null || array.Length > 0)
            return false;
        return btf[enclosing.TypeId] is BtfComposite c && enclosing.Index == c.Members.Count - 1;
    }

    /// <summary>Size of a type, as a relocation error instead of a format error when it has none.</summary>
    public static uint SizeOf(BtfSpec btf, uint id)
    {
        try
        {
            return btf.SizeOf(id);
        }
        catch (Ebpf.Object.ObjectFormatException e)
        {
            throw new CoreError(e.Message);
        }
    }
}
