using Ebpf.Examples.Tcptop.Kernel;

namespace Ebpf.Examples.Tcptop.Accounting;

/// <summary>
/// Turns the kernel's per-process entries into series that never go backwards. Each kernel entry's growth since the
/// last read (its delta) is added to the series its labels name at that moment, and to its cgroup's total; so a
/// series that a new process shares with an old one continues, a process that exits keeps its bytes in its cgroup,
/// and removing a kernel entry takes nothing away. Series beyond --max-series are summed into comm="other".
/// A process that is gone leaves after the grace period: its kernel entry is deleted and, once no live process
/// feeds it, its series too (a series that comes back later continues from its last value while remembered).
/// </summary>
internal sealed class ProcessLedger(LabelChoice labels, int maxSeries, TimeSpan grace, Func<ulong, string> cgroupName, Func<DateTime>? clock = null)
{
    private sealed class Tracked
    {
        public ulong Sent, Received;
        public SeriesKey Series;
        public ulong CgroupId;
        public DateTime? ExitSeen;
    }

    private sealed class SeriesState
    {
        public readonly ByteTotals Totals = new();
        public int Feeders;
        public DateTime LastFed;
    }

    private readonly Func<DateTime> now = clock ?? (() => DateTime.UtcNow);
    private readonly Dictionary<ProcessIdentity, Tracked> tracked = [];
    private readonly Dictionary<SeriesKey, SeriesState> series = [];
    private readonly Dictionary<SeriesKey, ByteTotals> retired = [];
    private readonly Queue<SeriesKey> retiredOrder = new();
    private readonly Dictionary<ulong, ByteTotals> cgroups = [];
    private readonly List<SeriesKey> removed = [];

    /// <summary>Processes whose series would have gone past --max-series, summed into comm="other" instead.</summary>
    public ulong Overflowed { get; private set; }

    public IReadOnlyDictionary<ulong, ByteTotals> CgroupBytes => cgroups;

    public IEnumerable<KeyValuePair<SeriesKey, ByteTotals>> Series => series.Select(s => KeyValuePair.Create(s.Key, s.Value.Totals));

    /// <summary>Series removed since the last call (the exporter unpublishes them).</summary>
    public IReadOnlyList<SeriesKey> TakeRemoved()
    {
        var r = removed.ToArray();
        removed.Clear();
        return r;
    }

    /// <summary>Adds what each entry moved since the last read; returns the processes whose kernel entries can now be deleted.</summary>
    public IReadOnlyList<ProcessIdentity> Update(IReadOnlyList<ProcessEntry> entries)
    {
        var t = now();
        var forget = new List<ProcessIdentity>();
        foreach (var e in entries)
        {
            var key = KeyOf(e);
            if (!tracked.TryGetValue(e.Id, out var tr))
            {
                tr = new Tracked { Series = Admit(key) };
                tracked[e.Id] = tr;
                series[tr.Series].Feeders++;
            }
            else if (tr.Series != key && tr.Series != SeriesKey.Other)
            {
                // comm or cgroup changed (exec, moved): the growth from now on goes to the new series
                Release(tr.Series, t);
                tr.Series = Admit(key);
                series[tr.Series].Feeders++;
            }
            // The tracer reports per-process totals that never decrease (Kernel/ProcessBytes); a lower figure would be
            // a read that raced an exit, and is ignored rather than subtracted.
            var dSent = e.SentBytes > tr.Sent ? e.SentBytes - tr.Sent : 0;
            var dReceived = e.ReceivedBytes > tr.Received ? e.ReceivedBytes - tr.Received : 0;
            tr.Sent = Math.Max(tr.Sent, e.SentBytes);
            tr.Received = Math.Max(tr.Received, e.ReceivedBytes);
            tr.CgroupId = e.CgroupId;
            var s = series[tr.Series];
            s.Totals.Sent += dSent;
            s.Totals.Received += dReceived;
            if (!e.Exited)
                s.LastFed = t; // an exited process feeds its series only until its exit (see Release below)
            var cg = Cgroup(e.CgroupId);
            cg.Sent += dSent;
            cg.Received += dReceived;

            if (e.Exited)
            {
                tr.ExitSeen ??= t;
                if (t - tr.ExitSeen.Value >= grace)
                {
                    forget.Add(e.Id);
                    tracked.Remove(e.Id);
                    // the grace period counts from the exit, for the series too: it goes in this same pass if nothing else feeds it
                    Release(tr.Series, tr.ExitSeen.Value);
                }
            }
        }
        // Entries that vanished from the kernel without an exit mark (deleted by someone else): stop tracking them.
        if (tracked.Count > entries.Count)
        {
            var present = entries.Select(e => e.Id).ToHashSet();
            foreach (var gone in tracked.Keys.Where(k => !present.Contains(k)).ToArray())
            {
                Release(tracked[gone].Series, t);
                tracked.Remove(gone);
            }
        }
        foreach (var (key, s) in series.Where(s => s.Value.Feeders == 0 && t - s.Value.LastFed >= grace).ToArray())
        {
            series.Remove(key);
            removed.Add(key);
            Remember(key, s.Totals);
        }
        return forget;
    }

    /// <summary>The cgroup's byte totals (created at zero); cgroups are removed by <see cref="ForgetCgroup"/>.</summary>
    public ByteTotals Cgroup(ulong id)
    {
        if (!cgroups.TryGetValue(id, out var c))
            cgroups[id] = c = new ByteTotals();
        return c;
    }

    /// <summary>Whether a live (tracked) process is in the cgroup.</summary>
    public bool HasProcessesIn(ulong cgroupId) => tracked.Values.Any(t => t.CgroupId == cgroupId);

    public void ForgetCgroup(ulong id) => cgroups.Remove(id);

    private SeriesKey KeyOf(ProcessEntry e) => new(
        labels.Comm ? e.Comm : "",
        labels.Cgroup ? cgroupName(e.CgroupId) : "",
        labels.Pid ? e.Id.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) : "");

    private SeriesKey Admit(SeriesKey key)
    {
        if (series.ContainsKey(key))
            return key;
        if (series.Count(s => s.Key != SeriesKey.Other) >= maxSeries)
        {
            Overflowed++;
            key = SeriesKey.Other;
            if (!series.ContainsKey(key))
                series[key] = new SeriesState { LastFed = now() };
            return key;
        }
        var state = new SeriesState { LastFed = now() };
        if (retired.Remove(key, out var old))
        {
            state.Totals.Sent = old.Sent;
            state.Totals.Received = old.Received;
        }
        series[key] = state;
        return key;
    }

    private void Release(SeriesKey key, DateTime t)
    {
        if (series.TryGetValue(key, out var s))
        {
            s.Feeders--;
            if (t > s.LastFed)
                s.LastFed = t;
        }
    }

    /// <summary>Totals of removed series, so one that comes back continues; bounded, oldest forgotten first.</summary>
    private void Remember(SeriesKey key, ByteTotals totals)
    {
        retired[key] = totals;
        retiredOrder.Enqueue(key);
        while (retired.Count > Math.Max(1000, 10 * maxSeries) && retiredOrder.TryDequeue(out var oldest))
            retired.Remove(oldest);
    }
}
