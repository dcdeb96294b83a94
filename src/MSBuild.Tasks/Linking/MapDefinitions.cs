using Ebpf.Btf;
using Ebpf.Object;
using Ebpf.Object.Elf;
using Ebpf.Object.Linking;

namespace Ebpf.Build.Linking;

/// <summary>
/// The maps each source of a linked object defines or declares <c>extern</c>, read from the BTF of that source alone
/// (its bitcode run through llc), and the disagreements between them. llvm-link binds an extern map declaration to the
/// definition whatever its body says (the body is only pointers in IR; the attributes live in BTF), so a declaration
/// with another max_entries or value type would silently lose; libbpf's linker refuses it, and so do we.
/// </summary>
internal static class MapDefinitions
{
    /// <summary>One map variable of one source: where it is, whether it is a declaration, what its body says.</summary>
    public sealed record Entry(string SourceFile, string Name, bool IsExtern, MapSpec Map, BtfSpec Btf);

    /// <summary>The .maps variables of one source's object; empty when it has no BTF or no maps.</summary>
    public static IEnumerable<Entry> Read(string sourceFile, byte[] objectBytes)
    {
        var elf = ElfFile.Parse(objectBytes);
        if (elf.FindSection(".BTF") is not { } section)
            return [];
        var btf = BtfSpec.Parse(elf.SectionData(section), elf.IsLittleEndian);
        return BtfMapReader.ReadDefinitions(btf).Select(d => new Entry(sourceFile, d.Name, d.IsExtern, d.Map, btf));
    }

    /// <summary>
    /// For each map name used by several sources: every declaration compared with the definition (or, with no definition,
    /// with the first declaration). Returns (the declaring entry, the entry it disagrees with, what differs).
    /// </summary>
    public static IEnumerable<(Entry Declaration, Entry Reference, string Difference)> Mismatches(IEnumerable<Entry> entries)
    {
        foreach (var group in entries.GroupBy(e => e.Name, StringComparer.Ordinal))
        {
            var list = group.ToList();
            if (list.Count < 2)
                continue;
            var reference = list.FirstOrDefault(e => !e.IsExtern) ?? list[0];
            foreach (var other in list)
            {
                if (ReferenceEquals(other, reference) || !other.IsExtern)
                    continue; // two definitions are a duplicate symbol (EBPF109), reported before this
                var difference = Difference(other, reference);
                if (difference is not null)
                    yield return (other, reference, difference);
            }
        }
    }

    /// <summary>The first attribute that differs, worded for the error ("max_entries is 8 in report.bpf.c but 4 in count.bpf.c"), or null.</summary>
    private static string? Difference(Entry declaration, Entry reference)
    {
        var a = declaration.Map;
        var b = reference.Map;
        var here = Path.GetFileName(declaration.SourceFile);
        var there = Path.GetFileName(reference.SourceFile);
        string Says(string attribute, object mine, object theirs) => $"{attribute} is {mine} in {here} but {theirs} in {there}";
        if (a.Type != b.Type)
            return Says("type", a.Type, b.Type);
        if (a.KeySize != b.KeySize)
            return Says("the key size", a.KeySize + " bytes", b.KeySize + " bytes");
        if (a.ValueSize != b.ValueSize)
            return Says("the value size", a.ValueSize + " bytes", b.ValueSize + " bytes");
        if (a.MaxEntries != b.MaxEntries)
            return Says("max_entries", a.MaxEntries, b.MaxEntries);
        if (a.Flags != b.Flags)
            return Says("map_flags", "0x" + a.Flags.ToString("x"), "0x" + b.Flags.ToString("x"));
        if (a.Pinning != b.Pinning)
            return Says("pinning", a.Pinning, b.Pinning);
        if (a.NumaNode != b.NumaNode)
            return Says("numa_node", a.NumaNode, b.NumaNode);
        if (a.MapExtra != b.MapExtra)
            return Says("map_extra", a.MapExtra, b.MapExtra);
        // key_size/value_size bodies give no type (id 0): the sizes above are all there is to compare
        if (a.KeyTypeId != 0 && b.KeyTypeId != 0 && BtfShapeMatch.Difference(declaration.Btf, a.KeyTypeId, reference.Btf, b.KeyTypeId) is { } key)
            return Says(key.What == "the type" ? "the key type" : "in the key type, " + key.What, key.Mine, key.Theirs);
        if (a.ValueTypeId != 0 && b.ValueTypeId != 0 && BtfShapeMatch.Difference(declaration.Btf, a.ValueTypeId, reference.Btf, b.ValueTypeId) is { } value)
            return Says(value.What == "the type" ? "the value type" : "in the value type, " + value.What, value.Mine, value.Theirs);
        if ((a.InnerMap is null) != (b.InnerMap is null))
            return Says("the inner map", a.InnerMap is null ? "absent" : "present", b.InnerMap is null ? "absent" : "present");
        if (a.InnerMap is { } innerA && b.InnerMap is { } innerB &&
            (innerA.Type != innerB.Type || innerA.KeySize != innerB.KeySize || innerA.ValueSize != innerB.ValueSize || innerA.MaxEntries != innerB.MaxEntries))
            return Says("the inner map", innerA, innerB);
        return null;
    }
}
