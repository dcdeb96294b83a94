using Ebpf.Examples.Tcptop.Accounting;
using Ebpf.Programs;

namespace Ebpf.Examples.Tcptop.Export;

internal sealed record ExportOptions
{
    /// <summary>
    /// Not in Prometheus's default-port allocation list: 9100-9999 are all given out (9435 is ebpf_exporter's) and
    /// allocation went on above 10000, so the default sits well away from both.
    /// </summary>
    public const int DefaultPort = 19435;

    public string Host { get; init; } = "+";
    public int Port { get; init; } = DefaultPort;
    public LabelChoice Labels { get; init; } = LabelChoice.Default;
    public int MaxSeries { get; init; } = 500;
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(60);
    public bool BpfStats { get; init; }
}
