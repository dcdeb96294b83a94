using System.Globalization;

namespace EbpfXdp;

/// <summary>The counts as an aligned table, one protocol per line.</summary>
public static class ProtocolTable
{
    public static void Write(TextWriter output, string title, IReadOnlyList<ProtocolCount> counts)
    {
        output.WriteLine();
        output.WriteLine($"{title}:");
        if (counts.Count == 0)
        {
            output.WriteLine("  no packets yet");
            return;
        }
        var width = Math.Max("protocol".Length, counts.Max(c => c.Protocol.Length));
        output.WriteLine($"  {"protocol".PadRight(width)}  {"packets",12}  {"bytes",14}");
        foreach (var c in counts)
            output.WriteLine($"  {c.Protocol.PadRight(width)}  {Number(c.Packets),12}  {Number(c.Bytes),14}");
    }

    // Grouped by thousands the same way in every culture, so scripts can read it too.
    private static string Number(ulong n) => n.ToString("#,0", CultureInfo.InvariantCulture);
}
