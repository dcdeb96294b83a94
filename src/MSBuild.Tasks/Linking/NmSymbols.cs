namespace Ebpf.Build.Linking;

/// <summary>Reads <c>llvm-nm --defined-only --extern-only</c> output: "---------------- D counters" per symbol.</summary>
internal static class NmSymbols
{
    /// <summary>Each symbol and whether it is a strong definition (weak ones, W/V/w/v, may be defined more than once).</summary>
    public static IEnumerable<(string Name, bool Strong)> Parse(string output)
    {
        foreach (var raw in output.Split('\n'))
        {
            var parts = raw.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || parts[1].Length != 1)
                continue; // "file.bc:" headers and blank lines
            var type = parts[1][0];
            yield return (parts[2], type is not ('W' or 'V' or 'w' or 'v'));
        }
    }
}
