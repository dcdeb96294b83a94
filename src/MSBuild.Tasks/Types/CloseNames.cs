namespace Ebpf.Build.Types;

/// <summary>"Did you mean": the known names closest to a misspelt one (edit distance, case-insensitive).</summary>
internal static class CloseNames
{
    public static IReadOnlyList<string> Find(string wanted, IEnumerable<string> known, int max = 3)
    {
        var limit = Math.Max(1, wanted.Length / 3);
        return known
            .Where(k => k != wanted)
            .Select(k => (Name: k, Distance: Distance(wanted.ToLowerInvariant(), k.ToLowerInvariant(), limit)))
            .Where(x => x.Distance <= limit)
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal)
            .Take(max)
            .Select(x => x.Name)
            .ToList();
    }

    /// <summary>Levenshtein distance, or a value above <paramref name="limit"/> as soon as it cannot be within it.</summary>
    internal static int Distance(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) > limit)
            return limit + 1;
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMin = current[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                rowMin = Math.Min(rowMin, current[j]);
            }
            if (rowMin > limit)
                return limit + 1;
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
