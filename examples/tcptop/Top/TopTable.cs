using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ebpf.Examples.Tcptop.Top;

/// <summary>The table of one frame (Spectre.Console), as `top` draws it live and `--once` prints it.</summary>
internal static class TopTable
{
    public static IRenderable Render(TopFrame frame, TopGrouping by)
    {
        var table = new Table().Border(TableBorder.Simple)
            .Title($"tcptop  {frame.Time.ToLocalTime():HH:mm:ss}  by {frame.By}, last {frame.IntervalSeconds:0.0} s" + (frame.RowsHidden > 0 ? $", {frame.RowsHidden} more rows" : ""));
        if (by != TopGrouping.Cgroup)
            table.AddColumn(new TableColumn("PID").RightAligned()).AddColumn("COMM");
        if (by == TopGrouping.Connection)
            table.AddColumn("LADDR:LPORT").AddColumn("RADDR:RPORT");
        table.AddColumn(by == TopGrouping.Cgroup ? "CGROUP / POD" : "CGROUP");
        foreach (var h in new[] { "TX/s", "RX/s", "TX total", "RX total" })
            table.AddColumn(new TableColumn(h).RightAligned());
        if (by != TopGrouping.Connection)
            table.AddColumn(new TableColumn("CONNS").RightAligned());
        table.AddColumn(new TableColumn("RETRANS").RightAligned());

        foreach (var r in frame.Rows)
        {
            var cells = new List<string>();
            if (by != TopGrouping.Cgroup)
                cells.AddRange([r.Pid?.ToString(CultureInfo.InvariantCulture) ?? "", Markup.Escape(r.Comm)]);
            if (by == TopGrouping.Connection)
                cells.AddRange([r.Local ?? "", r.Remote ?? ""]);
            cells.Add(Markup.Escape(CgroupText(r)));
            cells.AddRange([Bytes(r.SentPerSecond), Bytes(r.ReceivedPerSecond), Bytes(r.SentBytes), Bytes(r.ReceivedBytes)]);
            if (by != TopGrouping.Connection)
                cells.Add(r.ConnectionsOpened.ToString(CultureInfo.InvariantCulture));
            cells.Add(r.RetransmittedSegments.ToString(CultureInfo.InvariantCulture));
            table.AddRow(cells.ToArray());
        }
        return table;
    }

    /// <summary>A Kubernetes cgroup as pod/container (short ids), anything else as its path.</summary>
    private static string CgroupText(TopRow r) =>
        r.PodUid == "" ? r.Cgroup
        : r.ContainerId == "" ? $"pod {r.PodUid}"
        : $"pod {r.PodUid} ctr {r.ContainerId[..Math.Min(12, r.ContainerId.Length)]}";

    public static string Bytes(double n) => n switch
    {
        >= 1 << 30 => (n / (1 << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB",
        >= 1 << 20 => (n / (1 << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        >= 1 << 10 => (n / (1 << 10)).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => n.ToString("0", CultureInfo.InvariantCulture) + " B",
    };
}
