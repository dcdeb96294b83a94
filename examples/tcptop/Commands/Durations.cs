using System.CommandLine.Parsing;
using System.Globalization;

namespace Ebpf.Examples.Tcptop.Commands;

/// <summary>Durations on the command line: 1s, 500ms, 2m, or a bare number of seconds.</summary>
internal static class Durations
{
    public static TimeSpan Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParse(text, out var value) && value > TimeSpan.Zero)
            return value;
        result.AddError($"'{text}' is not a duration: write it as 500ms, 1s, 2m or a number of seconds");
        return default;
    }

    public static bool TryParse(string text, out TimeSpan value)
    {
        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ when text.EndsWith('h') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        var ok = double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 && double.IsFinite(n);
        value = ok ? TimeSpan.FromSeconds(n * scale) : default;
        return ok;
    }
}
