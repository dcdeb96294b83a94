using Ebpf.Examples.Tcptop.Cgroups;
using Ebpf.Examples.Tcptop.Kernel;

namespace Ebpf.Examples.Tcptop.Top;

/// <summary>What `top` shows: which processes (-p) and cgroups (--cgroup, with everything below it), how many rows.</summary>
internal sealed record TopFilter(TopGrouping By, int? Pid, string? CgroupPath, int Rows);

/// <summary>
/// Turns successive kernel snapshots into table frames. Each kernel entry's growth since the last snapshot is added to
/// its row (a process — tgid plus start time, so a reused PID is a new row —, a cgroup, or a connection), which gives
/// both the interval's rate and a total that survives the kernel entry being deleted. Processes that exited are shown
/// one last time and then deleted from the kernel map.
/// </summary>
internal sealed class TopSampler(TcpTracer tracer, CgroupNames names, TopFilter filter)
{
    private sealed class Row
    {
        public int? Pid;
        public string Comm = "", Cgroup = "";
        public string? Local, Remote;
        public ulong Sent, Received, Opened, Retransmits;
        public ulong IntervalSent, IntervalReceived;
    }

    private readonly record struct Seen(ulong Sent, ulong Received, ulong Opened, ulong Retransmits);

    private readonly Dictionary<ProcessIdentity, Seen> seenProcesses = [];
    private readonly Dictionary<ConnectionKey, Seen> seenConnections = [];
    private readonly Dictionary<object, Row> rows = [];
    private DateTime last = DateTime.UtcNow;

    /// <summary>Reads the maps now: the frame for the time since the previous call (or since the sampler was made).</summary>
    public TopFrame Sample()
    {
        var now = DateTime.UtcNow;
        var seconds = Math.Max((now - last).TotalSeconds, 1e-3);
        last = now;
        foreach (var r in rows.Values)
            r.IntervalSent = r.IntervalReceived = 0;
        var snap = tracer.Read();
        var shown = new HashSet<object>();
        if (filter.By == TopGrouping.Connection)
            AddConnections(snap, shown);
        else
            AddProcesses(snap, shown);

        var ordered = rows.Where(r => shown.Contains(r.Key)).Select(r => r.Value)
            .OrderByDescending(r => r.IntervalSent + r.IntervalReceived).ThenByDescending(r => r.Sent + r.Received).ToArray();
        var frame = new TopFrame(now, seconds, filter.By.ToString().ToLowerInvariant(),
            ordered.Take(filter.Rows).Select(r => ToRow(r, seconds)).ToArray(), Math.Max(0, ordered.Length - filter.Rows));
        return frame;
    }

    private void AddProcesses(KernelSnapshot snap, HashSet<object> shown)
    {
        foreach (var e in snap.Processes)
        {
            var cgroup = names.NameOf(e.CgroupId);
            var prev = seenProcesses.GetValueOrDefault(e.Id);
            var opened = e.OpenedActive + e.OpenedPassive;
            seenProcesses[e.Id] = new Seen(e.SentBytes, e.ReceivedBytes, opened, e.RetransmittedSegments);
            if (e.Exited)
            {
                // shown with its last growth, then gone: the kernel entry is deleted, the row is not fed again
                tracer.Forget(e.Id);
                seenProcesses.Remove(e.Id);
            }
            if (!Wanted(e.Id.Pid, cgroup))
                continue;
            object key = filter.By == TopGrouping.Cgroup ? cgroup : e.Id;
            if (!rows.TryGetValue(key, out var row))
                rows[key] = row = new Row { Pid = filter.By == TopGrouping.Cgroup ? null : e.Id.Pid };
            row.Comm = filter.By == TopGrouping.Cgroup ? "" : e.Comm;
            row.Cgroup = cgroup;
            Add(row, prev, e.SentBytes, e.ReceivedBytes, opened, e.RetransmittedSegments);
            shown.Add(key);
        }
    }

    private void AddConnections(KernelSnapshot snap, HashSet<object> shown)
    {
        foreach (var c in snap.Connections)
        {
            var cgroup = names.NameOf(c.CgroupId);
            var prev = seenConnections.GetValueOrDefault(c.Key);
            seenConnections[c.Key] = new Seen(c.SentBytes, c.ReceivedBytes, 0, c.RetransmittedSegments);
            if (c.Closed)
            {
                tracer.Forget(c.Key);
                seenConnections.Remove(c.Key);
            }
            if (!Wanted(c.Key.Process.Pid, cgroup))
                continue;
            if (!rows.TryGetValue(c.Key, out var row))
                rows[c.Key] = row = new Row { Pid = c.Key.Process.Pid, Local = c.Key.Local.ToString(), Remote = c.Key.Remote.ToString() };
            row.Comm = c.Comm;
            row.Cgroup = cgroup;
            Add(row, prev, c.SentBytes, c.ReceivedBytes, 0, c.RetransmittedSegments);
            shown.Add(c.Key);
        }
    }

    private static void Add(Row row, Seen prev, ulong sent, ulong received, ulong opened, ulong retransmits)
    {
        row.IntervalSent += sent - prev.Sent;
        row.IntervalReceived += received - prev.Received;
        row.Sent += sent - prev.Sent;
        row.Received += received - prev.Received;
        row.Opened += opened - prev.Opened;
        row.Retransmits += retransmits - prev.Retransmits;
    }

    private bool Wanted(int pid, string cgroup) =>
        (filter.Pid is null || filter.Pid == pid) &&
        (filter.CgroupPath is null || filter.CgroupPath == "/" || cgroup == filter.CgroupPath || cgroup.StartsWith(filter.CgroupPath + "/", StringComparison.Ordinal));

    private static TopRow ToRow(Row r, double seconds)
    {
        var k8s = KubernetesCgroup.Parse(r.Cgroup);
        return new TopRow(r.Pid, r.Comm, r.Cgroup, k8s.PodUid, k8s.ContainerId, r.Local, r.Remote,
            r.IntervalSent / seconds, r.IntervalReceived / seconds, r.Sent, r.Received, r.Opened, r.Retransmits);
    }
}
