using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace Ebpf.Examples.Cli;

/// <summary>
/// Options with numeric values, parsed the same way in every culture (a decimal point is '.', never ','; no group
/// separators), with the allowed range checked at parse time so an out-of-range value is a usage error that names
/// the option. System.CommandLine's own conversion follows the current culture, hence these.
/// </summary>
public static class InvariantOptions
{
    /// <summary>A number in [<paramref name="min"/>, <paramref name="max"/>] with a default.</summary>
    public static Option<T> Number<T>(string name, string description, T min, T max, T defaultValue) where T : struct, INumber<T> =>
        new(name)
        {
            Description = description,
            HelpName = typeof(T) == typeof(double) ? "S" : "N",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r => Parse(r, min, max) ?? defaultValue,
        };

    /// <summary>A number in [<paramref name="min"/>, <paramref name="max"/>] that must be given.</summary>
    public static Option<T> RequiredNumber<T>(string name, string description, T min, T max) where T : struct, INumber<T> =>
        new(name)
        {
            Description = description,
            HelpName = "N",
            Required = true,
            CustomParser = r => Parse(r, min, max) ?? default,
        };

    /// <summary>A number in [<paramref name="min"/>, <paramref name="max"/>], null when the option is not given.</summary>
    public static Option<T?> OptionalNumber<T>(string name, string description, T min, T max) where T : struct, INumber<T> =>
        new(name)
        {
            Description = description,
            HelpName = "N",
            CustomParser = r => Parse(r, min, max),
        };

    /// <summary>A comma-separated list of numbers, each in [<paramref name="min"/>, <paramref name="max"/>]; null when not given.</summary>
    public static Option<T[]?> NumberList<T>(string name, string description, T min, T max) where T : struct, INumber<T> =>
        new(name)
        {
            Description = description,
            HelpName = "N,N,...",
            Arity = ArgumentArity.ExactlyOne,
            CustomParser = r =>
            {
                var items = r.Tokens[0].Value.Split(',');
                var values = new T[items.Length];
                for (var i = 0; i < items.Length; i++)
                {
                    if (!TryParse(items[i], out values[i]) || values[i] < min || values[i] > max)
                    {
                        r.AddError($"{OptionName(r)}: '{items[i]}' is not a number from {Show(min)} to {Show(max)}");
                        return null;
                    }
                }
                return values;
            },
        };

    /// <summary>How the apps print numbers: the same in every culture.</summary>
    public static string Show<T>(T value) where T : INumber<T> => value.ToString(null, CultureInfo.InvariantCulture);

    private static T? Parse<T>(ArgumentResult r, T min, T max) where T : struct, INumber<T>
    {
        var text = r.Tokens[0].Value;
        if (TryParse<T>(text, out var v) && v >= min && v <= max)
            return v;
        r.AddError($"{OptionName(r)} wants a number from {Show(min)} to {Show(max)}, not '{text}'");
        return null;
    }

    private static bool TryParse<T>(string text, out T value) where T : struct, INumber<T> =>
        T.TryParse(text.Trim(), typeof(T) == typeof(double) || typeof(T) == typeof(float) ? NumberStyles.Float : NumberStyles.Integer,
                   CultureInfo.InvariantCulture, out value);

    private static string OptionName(ArgumentResult r) => (r.Parent as OptionResult)?.Option.Name ?? r.Argument.Name;
}
