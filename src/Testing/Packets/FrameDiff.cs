namespace Ebpf.Testing;

/// <summary>One field that differs between two frames; a side that lacks the field reads "(absent)".</summary>
public sealed record FieldChange(string Field, string Before, string After)
{
    /// <summary>"ipv4.dst: 10.0.0.1 -> 10.0.0.2".</summary>
    public override string ToString() => $"{Field}: {Before} -> {After}";
}

/// <summary>
/// The fields that differ between two frames, in wire order, for assertion messages:
/// <code>
/// eth.dst: 02:00:00:00:00:02 -> 02:00:00:00:00:0b
/// ipv4.dst: 10.0.0.1 -> 10.0.0.2
/// ipv4.checksum: 0x66c4 -> 0x66bb
/// </code>
/// Long payloads are described by length and first differing offset rather than in full.
/// </summary>
public sealed class FrameDiff
{
    /// <summary>An absent field's value in a <see cref="FieldChange"/>.</summary>
    public const string Absent = "(absent)";

    private const int PayloadHexShown = 64; // hex digits: 32 bytes

    private FrameDiff(IReadOnlyList<FieldChange> changes) => Changes = changes;

    /// <summary>The differing fields in wire order (the before frame's order, then fields only the after frame has).</summary>
    public IReadOnlyList<FieldChange> Changes { get; }

    /// <summary>True when the frames have the same fields with the same values.</summary>
    public bool IsEmpty => Changes.Count == 0;

    /// <summary>The names of the differing fields.</summary>
    public IEnumerable<string> Fields => Changes.Select(c => c.Field);

    /// <summary>The change of <paramref name="field"/>, or null when it is the same in both frames.</summary>
    public FieldChange? this[string field] => Changes.FirstOrDefault(c => c.Field == field);

    /// <summary>Compares <paramref name="before"/> with <paramref name="after"/> field by field.</summary>
    public static FrameDiff Between(Frame before, Frame after)
    {
        var afterFields = new Dictionary<string, string>();
        foreach (var f in after.Fields)
            afterFields.TryAdd(f.Key, f.Value);
        var beforeNames = new HashSet<string>();
        var changes = new List<FieldChange>();
        foreach (var (name, value) in before.Fields)
        {
            beforeNames.Add(name);
            var now = afterFields.GetValueOrDefault(name, Absent);
            if (now != value)
                changes.Add(Describe(name, value, now));
        }
        foreach (var (name, value) in after.Fields)
            if (!beforeNames.Contains(name))
                changes.Add(Describe(name, Absent, value));
        return new FrameDiff(changes);
    }

    /// <summary>One change per line, or "no field changed".</summary>
    public override string ToString() => IsEmpty ? "no field changed" : string.Join("\n", Changes);

    private static FieldChange Describe(string name, string before, string after)
    {
        if (name != "payload" || before.Length <= PayloadHexShown && after.Length <= PayloadHexShown)
            return new FieldChange(name, before, after);
        // Hex payloads: say where they first differ instead of printing kilobytes.
        var common = 0;
        while (common < before.Length && common < after.Length && before[common] == after[common])
            common++;
        var at = common / 2;
        return new FieldChange(name, Summary(before, at), Summary(after, at));
    }

    private static string Summary(string hex, int at) => hex == Absent ? hex
        : $"{hex.Length / 2} bytes, from offset {at}: {hex.Substring(Math.Min(at * 2, hex.Length), Math.Min(16, Math.Max(0, hex.Length - at * 2)))}...";
}
