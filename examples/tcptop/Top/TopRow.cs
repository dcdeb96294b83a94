namespace Ebpf.Examples.Tcptop.Top;

/// <summary>What `top` groups by.</summary>
internal enum TopGrouping { Process, Cgroup, Connection }

/// <summary>One row of the table and of the JSON output. Totals are since tcptop started; rates over the last interval.</summary>
internal sealed record TopRow(
    int? Pid, string Comm, string Cgroup, string PodUid, string ContainerId, string? Local, string? Remote,
    double SentPerSecond, double ReceivedPerSecond, ulong SentBytes, ulong ReceivedBytes, ulong ConnectionsOpened, ulong RetransmittedSegments);

/// <summary>One interval's table.</summary>
internal sealed record TopFrame(DateTime Time, double IntervalSeconds, string By, IReadOnlyList<TopRow> Rows, int RowsHidden);
