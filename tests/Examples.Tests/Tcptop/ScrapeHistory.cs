namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>Scrapes in order, to check that no counter sample ever went down while its series existed.</summary>
internal sealed class ScrapeHistory
{
    private readonly List<MetricsScrape> scrapes = [];

    public MetricsScrape Add(MetricsScrape s)
    {
        scrapes.Add(s);
        return s;
    }

    public void AssertMonotonic()
    {
        var last = new Dictionary<string, double>();
        foreach (var scrape in scrapes)
            foreach (var s in scrape.Samples.Where(s => s.Name.EndsWith("_total", StringComparison.Ordinal) || s.Name.EndsWith("_count", StringComparison.Ordinal) || s.Name.EndsWith("_bucket", StringComparison.Ordinal)))
            {
                var key = s.Name + "{" + string.Join(",", s.Labels.OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}")) + "}";
                if (last.TryGetValue(key, out var before))
                    Assert.True(s.Value >= before, $"{key} went from {before} to {s.Value}");
                last[key] = s.Value;
            }
    }
}
