using System.Globalization;
using System.Text.RegularExpressions;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>One scrape of tcptop's /metrics in the Prometheus text format, parsed into samples.</summary>
internal sealed partial class MetricsScrape
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)$")]
    private static partial Regex Line();

    [GeneratedRegex(@"(?<k>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<v>(?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();

    public MetricsScrape(string text)
    {
        Text = text;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || line.Length == 0)
                continue;
            var m = Line().Match(line);
            if (!m.Success)
                continue;
            var labels = Label().Matches(m.Groups["labels"].Value).ToDictionary(l => l.Groups["k"].Value, l => Regex.Unescape(l.Groups["v"].Value));
            Samples.Add(new Sample(m.Groups["name"].Value, labels, double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }
    }

    public string Text { get; }
    public List<Sample> Samples { get; } = [];

    public static async Task<MetricsScrape> GetAsync(int port, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return new MetricsScrape(await http.GetStringAsync($"http://127.0.0.1:{port}/metrics", ct));
    }

    /// <summary>The sum of <paramref name="name"/> over the samples whose labels include every pair given.</summary>
    public double Sum(string name, params (string Key, string Value)[] match) =>
        Samples.Where(s => s.Name == name && match.All(m => s.Labels.TryGetValue(m.Key, out var v) && v == m.Value)).Sum(s => s.Value);

    public IEnumerable<Sample> Named(string name) => Samples.Where(s => s.Name == name);
}
