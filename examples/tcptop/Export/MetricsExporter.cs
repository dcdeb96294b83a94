using System.Diagnostics;
using System.Net;
using Ebpf.Examples.Tcptop.Accounting;
using Ebpf.Examples.Tcptop.Cgroups;
using Ebpf.Examples.Tcptop.Kernel;
using Ebpf.Programs;
using Prometheus;

namespace Ebpf.Examples.Tcptop.Export;

/// <summary>
/// `tcptop export`: a prometheus-net registry served over HttpListener (<see cref="MetricsEndpoint"/>, no ASP.NET) whose registry reads the kernel maps in a
/// before-collect callback, so every scrape sees the maps as they are at that moment and nothing runs between scrapes.
/// </summary>
internal sealed class MetricsExporter : IDisposable
{
    private static readonly string[] CgroupLabelNames = ["cgroup", "pod_uid", "container_id"];

    private readonly object gate = new();
    private readonly TcpTracer tracer;
    private readonly CgroupNames names;
    private readonly ExportOptions options;
    private readonly ProcessLedger ledger;
    private readonly MetricsEndpoint server;
    private readonly IDisposable? bpfStats;

    private readonly Counter sent, received, cgroupSent, cgroupReceived, opened, closed, retransmits, overflow, failedInserts,
        storageFailures, slowPathEvents, collectSeconds, collects, programRuns, programSeconds;
    private readonly Gauge mapEntries, mapMaxEntries, trackedProcesses;
    private readonly Histogram rtt;

    private readonly Dictionary<ulong, CgroupEntry> lastCgroup = [];
    private readonly Dictionary<string, string[]> cgroupLabels = [];
    private readonly Dictionary<ulong, DateTime> cgroupGoneSince = [];
    private readonly Dictionary<string, (ulong Runs, TimeSpan Time)> lastProgramStats = [];
    private ulong lastOverflow;

    public MetricsExporter(TcpTracer tracer, CgroupNames names, ExportOptions options)
    {
        this.tracer = tracer;
        this.names = names;
        this.options = options;
        ledger = new ProcessLedger(options.Labels, options.MaxSeries, options.Grace, id => names.NameOf(id));
        var registry = Metrics.NewCustomRegistry();
        var f = Metrics.WithCustomRegistry(registry);

        var processLabels = ProcessLabelNames(options.Labels);
        sent = f.CreateCounter("tcptop_sent_bytes_total", "TCP payload bytes sent, per process (sock_send_length).", processLabels);
        received = f.CreateCounter("tcptop_received_bytes_total", "TCP payload bytes received, per process (sock_recv_length).", processLabels);
        cgroupSent = f.CreateCounter("tcptop_cgroup_sent_bytes_total", "TCP payload bytes sent by the processes of a cgroup.", CgroupLabelNames);
        cgroupReceived = f.CreateCounter("tcptop_cgroup_received_bytes_total", "TCP payload bytes received by the processes of a cgroup.", CgroupLabelNames);
        opened = f.CreateCounter("tcptop_connections_opened_total", "TCP connections established, per cgroup of the socket; direction: active (connect) or passive (accept).", [.. CgroupLabelNames, "direction"]);
        closed = f.CreateCounter("tcptop_connections_closed_total", "TCP connections closed that were seen established.", CgroupLabelNames);
        retransmits = f.CreateCounter("tcptop_retransmitted_segments_total", "TCP segments retransmitted (successful tries, tcp_skb_pcount).", CgroupLabelNames);
        rtt = f.CreateHistogram("tcptop_rtt_seconds", "Smoothed RTT of each connection at close (log2 buckets; _sum takes each RTT as its bucket's midpoint).",
            CgroupLabelNames, new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(2e-6, 2, 32) });
        overflow = f.CreateCounter("tcptop_series_overflow_total", "Processes summed into comm=\"other\" because --max-series series existed.");
        mapEntries = f.CreateGauge("tcptop_map_entries", "Entries in a kernel map.", "map");
        mapMaxEntries = f.CreateGauge("tcptop_map_max_entries", "Size of a kernel map.", "map");
        failedInserts = f.CreateCounter("tcptop_map_failed_inserts_total", "Inserts a full kernel map refused (what they would have counted is lost).", "map");
        storageFailures = f.CreateCounter("tcptop_socket_storage_failures_total", "Sockets that could get no socket storage (their later events are attributed by cgroup only).");
        slowPathEvents = f.CreateCounter("tcptop_slow_path_events_total", "Sends and receives counted on the slow path, because their process found its byte slot taken by another one (tgids equal modulo the slot count).");
        trackedProcesses = f.CreateGauge("tcptop_tracked_processes", "Processes with an entry in the kernel map.");
        collectSeconds = f.CreateCounter("tcptop_collect_seconds_total", "Time spent reading the kernel maps for scrapes.");
        collects = f.CreateCounter("tcptop_collects_total", "Scrapes served.");
        programRuns = f.CreateCounter("tcptop_bpf_program_runs_total", "Runs of each tcptop BPF program (only with --bpf-stats).", "program");
        programSeconds = f.CreateCounter("tcptop_bpf_program_run_seconds_total", "Time spent in each tcptop BPF program (only with --bpf-stats).", "program");

        if (options.BpfStats)
        {
            try
            {
                bpfStats = BpfStats.Enable();
            }
            catch (BpfException e)
            {
                throw new ToolException($"--bpf-stats: {e.Message}");
            }
        }

        registry.AddBeforeCollectCallback(Collect);
        try
        {
            server = new MetricsEndpoint(options.Host, options.Port, registry);
        }
        catch (HttpListenerException e)
        {
            bpfStats?.Dispose();
            throw new ToolException(
                $"cannot listen on port {options.Port} ({e.Message}): another process uses it (another exporter?); choose a free one with --listen ADDR:PORT");
        }
    }

    public string Url => $"http://{(options.Host == "+" ? "0.0.0.0" : options.Host)}:{options.Port}/metrics";

    private static string[] ProcessLabelNames(LabelChoice l)
    {
        var list = new List<string>();
        if (l.Comm)
            list.Add("comm");
        if (l.Cgroup)
            list.AddRange(CgroupLabelNames);
        if (l.Pid)
            list.Add("pid");
        return list.ToArray();
    }

    private string[] ProcessLabelValues(SeriesKey key)
    {
        var list = new List<string>();
        if (options.Labels.Comm)
            list.Add(key.Comm);
        if (options.Labels.Cgroup)
        {
            list.AddRange(key == SeriesKey.Other ? ["", "", ""] : LabelsOf(key.Cgroup));
        }
        if (options.Labels.Pid)
            list.Add(key.Pid);
        return list.ToArray();
    }

    private string[] CgroupValues(ulong id) => LabelsOf(names.NameOf(id));

    /// <summary>A cgroup path's label values, parsed once per path (every scrape asks for every series' cgroup).</summary>
    private string[] LabelsOf(string path)
    {
        if (!cgroupLabels.TryGetValue(path, out var values))
        {
            var c = CgroupLabels.Of(path);
            cgroupLabels[path] = values = [c.Path, c.PodUid, c.ContainerId];
        }
        return values;
    }

    /// <summary>Reads the maps and brings every metric up to them. Runs on the scrape's thread, before the registry is written out.</summary>
    private void Collect()
    {
        lock (gate)
        {
            var watch = Stopwatch.StartNew();
            var snap = tracer.Read();
            foreach (var id in ledger.Update(snap.Processes))
                tracer.Forget(id);
            foreach (var gone in ledger.TakeRemoved())
            {
                var values = ProcessLabelValues(gone);
                sent.RemoveLabelled(values);
                received.RemoveLabelled(values);
            }
            foreach (var (key, totals) in ledger.Series)
            {
                var values = ProcessLabelValues(key);
                sent.WithLabels(values).IncTo(totals.Sent);
                received.WithLabels(values).IncTo(totals.Received);
            }
            foreach (var (id, totals) in ledger.CgroupBytes)
            {
                var values = CgroupValues(id);
                cgroupSent.WithLabels(values).IncTo(totals.Sent);
                cgroupReceived.WithLabels(values).IncTo(totals.Received);
            }
            foreach (var cg in snap.Cgroups)
                AddCgroup(cg);
            RemoveGoneCgroups(snap);

            overflow.Inc(ledger.Overflowed - lastOverflow);
            lastOverflow = ledger.Overflowed;
            foreach (var m in snap.Maps)
            {
                mapEntries.WithLabels(m.Name).Set(m.Entries);
                mapMaxEntries.WithLabels(m.Name).Set(m.MaxEntries);
                failedInserts.WithLabels(m.Name).IncTo(m.FailedInserts);
            }
            storageFailures.IncTo(snap.SocketStorageFailures);
            slowPathEvents.IncTo(snap.SlowPathEvents);
            trackedProcesses.Set(snap.Processes.Count);
            if (options.BpfStats)
            {
                foreach (var (name, program) in tracer.Programs)
                {
                    var (runs, time) = program.RunStatistics;
                    programRuns.WithLabels(name).IncTo(runs);
                    programSeconds.WithLabels(name).IncTo(time.TotalSeconds);
                }
            }
            collects.Inc();
            collectSeconds.Inc(watch.Elapsed.TotalSeconds);
        }
    }

    private void AddCgroup(CgroupEntry cg)
    {
        var last = lastCgroup.GetValueOrDefault(cg.CgroupId) ?? new CgroupEntry(cg.CgroupId, 0, 0, 0, 0, new ulong[cg.RttSlots.Length]);
        var values = CgroupValues(cg.CgroupId);
        opened.WithLabels([.. values, "active"]).Inc(cg.OpenedActive - last.OpenedActive);
        opened.WithLabels([.. values, "passive"]).Inc(cg.OpenedPassive - last.OpenedPassive);
        closed.WithLabels(values).Inc(cg.Closed - last.Closed);
        retransmits.WithLabels(values).Inc(cg.RetransmittedSegments - last.RetransmittedSegments);
        var h = rtt.WithLabels(values);
        for (var i = 0; i < cg.RttSlots.Length; i++)
        {
            var d = cg.RttSlots[i] - last.RttSlots[i];
            if (d > 0)
                h.Observe(1.5 * Math.Pow(2, i) * 1e-6, (long)d); // slot i is [2^i, 2^(i+1)) us: its midpoint
        }
        lastCgroup[cg.CgroupId] = cg;
    }

    /// <summary>A cgroup whose directory is gone and that has no process left leaves after the grace period.</summary>
    private void RemoveGoneCgroups(KernelSnapshot snap)
    {
        var ids = ledger.CgroupBytes.Keys.Concat(snap.Cgroups.Select(c => c.CgroupId)).Distinct().ToArray();
        var now = DateTime.UtcNow;
        foreach (var id in ids)
        {
            if (names.Exists(id) || ledger.HasProcessesIn(id))
            {
                cgroupGoneSince.Remove(id);
                continue;
            }
            if (!cgroupGoneSince.TryGetValue(id, out var since))
            {
                cgroupGoneSince[id] = now;
                continue;
            }
            if (now - since < options.Grace)
                continue;
            var values = CgroupValues(id);
            cgroupSent.RemoveLabelled(values);
            cgroupReceived.RemoveLabelled(values);
            opened.RemoveLabelled([.. values, "active"]);
            opened.RemoveLabelled([.. values, "passive"]);
            closed.RemoveLabelled(values);
            retransmits.RemoveLabelled(values);
            rtt.RemoveLabelled(values);
            ledger.ForgetCgroup(id);
            lastCgroup.Remove(id);
            cgroupGoneSince.Remove(id);
            tracer.ForgetCgroup(id);
            names.Forget(id);
        }
    }

    public void Dispose()
    {
        server.Dispose();
        bpfStats?.Dispose();
    }
}
