using System.Globalization;

namespace EbpfCgroup;

/// <summary>The counts as an aligned table, one destination per line.</summary>
public static class ConnectTable
{
    public static void Write(TextWriter output, string title, IReadOnlyList<ConnectCount> counts)
    {
        output.WriteLine();
        output.WriteLine($"{title}:");
        if (counts.Count == 0)
        {
            output.WriteLine("  no connects yet");
            return;
        }
        var destinations = counts.Select(c => c.Destination.ToString()).ToList();
        var width = Math.Max("destination".Length, destinations.Max(d => d.Length));
        output.WriteLine($"  {"protocol",-8}  {"destination".PadRight(width)}  {"connects",10}");
        for (var i = 0; i < counts.Count; i++)
            output.WriteLine($"  {counts[i].Protocol,-8}  {destinations[i].PadRight(width)}  {Number(counts[i].Connects),10}");
    }

    // Grouped by thousands the same way in every culture, so scripts can read it too.
    private static string Number(ulong n) => n.ToString("#,0", CultureInfo.InvariantCulture);
}
