namespace Ebpf.Examples.Tcptop.Accounting;

/// <summary>Which labels the per-process series carry (`export --labels comm,cgroup[,pid]`).</summary>
internal sealed record LabelChoice(bool Comm, bool Cgroup, bool Pid)
{
    public static readonly LabelChoice Default = new(true, true, false);

    public static LabelChoice Parse(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var p in parts)
            if (p is not ("comm" or "cgroup" or "pid"))
                throw new ToolException($"--labels: unknown label '{p}' (choose from comm, cgroup, pid, separated by commas)");
        return new LabelChoice(parts.Contains("comm"), parts.Contains("cgroup"), parts.Contains("pid"));
    }
}

/// <summary>One per-process series' label values; labels not chosen are empty (Prometheus drops empty labels).</summary>
internal readonly record struct SeriesKey(string Comm, string Cgroup, string Pid)
{
    /// <summary>Where processes go once --max-series series exist.</summary>
    public static readonly SeriesKey Other = new("other", "", "");
}

/// <summary>Cumulative bytes of one series: only ever added to.</summary>
internal sealed class ByteTotals
{
    public ulong Sent { get; set; }
    public ulong Received { get; set; }
}
