using Ebpf.Btf;

namespace Ebpf.Build.Vmlinux;

/// <summary>
/// The C name each BTF type and enumerator gets in vmlinux.h. Kernel BTF can hold two different types
/// with one name (deduplication keeps both when they differ) and one enumerator name in two enums; C
/// allows neither, so later ones get a <c>___N</c> suffix, which CO-RE ignores when matching names
/// against the kernel (the same convention as libbpf's dumper).
/// </summary>
internal sealed class CNames
{
    private readonly Dictionary<uint, string> typeNames = new();
    private readonly Dictionary<(uint TypeId, int Index), string> enumeratorNames = new();
    /// <summary>Struct/union definition that a forward declaration of the same name and kind stands for.</summary>
    private readonly Dictionary<uint, uint> fwdTargets = new();

    public CNames(BtfSpec spec)
    {
        var tagCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        var ordinary = new Dictionary<string, int>(StringComparer.Ordinal);                    // typedefs and enumerators
        var definitions = new Dictionary<(string Name, bool IsUnion), uint>();

        for (var id = spec.FirstTypeId; id < (uint)spec.Count; id++)
        {
            var t = spec[id];
            if (t.Name.Length == 0)
                continue;
            switch (t)
            {
                case BtfComposite c:
                    typeNames[id] = Unique(tagCounts, t.Name);
                    definitions.TryAdd((t.Name, c.IsUnion), id);
                    break;
                case BtfEnum:
                    typeNames[id] = Unique(tagCounts, t.Name);
                    break;
                case BtfRef { Kind: BtfKind.Typedef }:
                    typeNames[id] = Unique(ordinary, t.Name);
                    break;
            }
        }

        // A forward declaration names the definition of the same name if there is one; otherwise it is a tag of its own.
        for (var id = spec.FirstTypeId; id < (uint)spec.Count; id++)
        {
            if (spec[id] is not BtfFwd fwd || fwd.Name.Length == 0)
                continue;
            if (definitions.TryGetValue((fwd.Name, fwd.IsUnion), out var def))
            {
                fwdTargets[id] = def;
                typeNames[id] = typeNames[def];
            }
            else
            {
                typeNames[id] = Unique(tagCounts, fwd.Name);
            }
        }

        for (var id = spec.FirstTypeId; id < (uint)spec.Count; id++)
        {
            if (spec[id] is not BtfEnum e)
                continue;
            for (var i = 0; i < e.Values.Count; i++)
                enumeratorNames[(id, i)] = Unique(ordinary, e.Values[i].Name);
        }
    }

    /// <summary>The tag or typedef name of a named type.</summary>
    public string Of(uint typeId) => typeNames[typeId];

    public string Enumerator(uint enumId, int index) => enumeratorNames[(enumId, index)];

    /// <summary>The definition a forward declaration stands for, when the BTF has one.</summary>
    public bool TryGetFwdDefinition(uint fwdId, out uint definitionId) => fwdTargets.TryGetValue(fwdId, out definitionId);

    private static string Unique(Dictionary<string, int> used, string name)
    {
        if (!used.TryGetValue(name, out var count))
        {
            used[name] = 1;
            return name;
        }
        // name___2, name___3, ...; skip any that a real type already uses.
        string candidate;
        do
        {
            count++;
            candidate = name + "___" + count;
        } while (used.ContainsKey(candidate));
        used[name] = count;
        used[candidate] = 1;
        return candidate;
    }
}
