using Ebpf.Examples.Tcptop.Kernel;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// Processes that exit and PIDs that are reused: a series leaves after --grace, its bytes stay in its cgroup's total,
/// every counter is monotonic across scrapes, a reused PID is a new process (a new row in top, a new kernel entry),
/// and a label set the new process shares with the old one keeps counting upward. The reuse is forced through
/// /proc/sys/kernel/ns_last_pid in a PID namespace of the test's own (<see cref="PidNamespaceReuse"/>), and, for the
/// PID tcptop keys by (the host's), with clone3 and set_tid.
/// </summary>
[Collection(TcptopCollection.Name)]
public sealed class TcptopLifecycleSeriesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnExitedProcessLeavesAfterGraceItsBytesStayAndAReusedPidContinuesItsSeries()
    {
        Kernel.RequireRoot();
        const long first = 123_457, second = 76_543;
        var grace = TimeSpan.FromSeconds(3);
        using var tracer = new TcpTracer(new TracerOptions());
        using var export = new ExportRun("--grace", "3s", "--labels", "comm,cgroup");
        using var cgroup = new TempCgroup("ttlc");
        using var receivers = new TempCgroup("ttlr");
        var comm = TcpPeers.Comm("reuse");
        var cgroupName = Path.GetRelativePath(Ebpf.KernelMounts.Cgroup2Root!, cgroup.Path);
        var history = new ScrapeHistory();
        (string, string)[] series = [("comm", comm), ("cgroup", cgroupName)];

        // The first process (PID N in the test's PID namespace): sends, exits.
        var (server, port) = TcpPeers.Sink(receivers, TcpPeers.Comm("reuserx"), "127.0.0.1", 2);
        using var receiver = server;
        using var reuse = PidNamespaceReuse.Start(cgroup, comm, "127.0.0.1", port, first, second);
        var a = reuse.First();
        var s1 = history.Add(await export.ScrapeAsync(Ct));
        Assert.Equal(first, s1.Sum("tcptop_sent_bytes_total", series));
        Assert.Equal(first, s1.Sum("tcptop_cgroup_sent_bytes_total", ("cgroup", cgroupName)));
        var oldEntry = Assert.Single(tracer.Read().Processes, p => p.Comm == comm);
        Assert.Equal(a.HostPid, oldEntry.Id.Pid);
        Assert.True(oldEntry.Exited);

        // After the grace period (and a scrape that sees it pass) the series is gone; the cgroup keeps the bytes.
        await Task.Delay(grace + TimeSpan.FromSeconds(1), Ct);
        history.Add(await export.ScrapeAsync(Ct));
        var s2 = history.Add(await export.ScrapeAsync(Ct));
        Assert.DoesNotContain(s2.Samples, s => s.Name == "tcptop_sent_bytes_total" && s.Labels.GetValueOrDefault("comm") == comm);
        Assert.Equal(first, s2.Sum("tcptop_cgroup_sent_bytes_total", ("cgroup", cgroupName)));

        // A new process with PID N again (ns_last_pid), the same comm and cgroup: a new kernel entry (its own tgid
        // and start time), and the label set {comm, cgroup} continues from where it was.
        var (b, sent) = reuse.Second();
        Assert.Equal(first + second, sent);
        Assert.Equal(first + second, TcpPeers.Result(server, "received"));
        Assert.Equal(a.NamespacePid, b.NamespacePid);
        var entries = tracer.Read().Processes.Where(p => p.Comm == comm).ToArray();
        Assert.Equal(2, entries.Length);
        var newEntry = Assert.Single(entries, e => e.Id != oldEntry.Id);
        Assert.Equal(b.HostPid, newEntry.Id.Pid);
        Assert.Equal((ulong)second, newEntry.SentBytes);

        var s3 = history.Add(await export.ScrapeAsync(Ct));
        Assert.Equal(first + second, s3.Sum("tcptop_sent_bytes_total", series));
        Assert.Equal(first + second, s3.Sum("tcptop_cgroup_sent_bytes_total", ("cgroup", cgroupName)));
        history.AssertMonotonic();
    }

    [Fact]
    public async Task AReusedHostPidIsANewKernelEntryAndItsPidSeriesContinues()
    {
        Kernel.RequireRoot();
        const long first = 54_321, second = 12_345;
        using var tracer = new TcpTracer(new TracerOptions());
        using var export = new ExportRun("--labels", "comm,cgroup,pid");
        using var cgroup = new TempCgroup("ttlh");
        using var receivers = new TempCgroup("ttli");
        var comm = TcpPeers.Comm("hostpid");
        var history = new ScrapeHistory();

        var pid = SendAndExit(cgroup, receivers, comm, first);
        var s1 = history.Add(await export.ScrapeAsync(Ct));
        Assert.Equal(first, s1.Sum("tcptop_sent_bytes_total", ("comm", comm), ("pid", pid.ToString())));
        var oldEntry = Assert.Single(tracer.Read().Processes, p => p.Comm == comm);

        // The same host PID (clone3 with set_tid), comm and cgroup: the same tgid with another start time.
        SendAsAndExit(cgroup, receivers, pid, comm, second);
        var entries = tracer.Read().Processes.Where(p => p.Comm == comm).ToArray();
        Assert.Equal(2, entries.Length);
        Assert.All(entries, e => Assert.Equal(pid, e.Id.Pid));
        Assert.Equal((ulong)second, Assert.Single(entries, e => e.Id != oldEntry.Id).SentBytes);

        var s2 = history.Add(await export.ScrapeAsync(Ct));
        Assert.Equal(first + second, s2.Sum("tcptop_sent_bytes_total", ("comm", comm), ("pid", pid.ToString())));
        history.AssertMonotonic();
    }

    [Fact]
    public void TopShowsAReusedPidAsANewRow()
    {
        Kernel.RequireRoot();
        using var cgroup = new TempCgroup("ttlt");
        using var receivers = new TempCgroup("ttlu");
        var nsComm = TcpPeers.Comm("nsrow");
        var hostComm = TcpPeers.Comm("hostrow");
        using var top = new AppRun("tcptop.dll", "top", "--json", "--interval", "1s", "--cgroup", cgroup.Path, "-n", "50");
        Assert.True(top.WaitForLine("\"rows\"", TimeSpan.FromSeconds(60)) is not null, top.Transcript);

        // PID N twice in the test's PID namespace (ns_last_pid): two host PIDs, two rows.
        var (server, port) = TcpPeers.Sink(receivers, TcpPeers.Comm("toprx"), "127.0.0.1", 2);
        PidNamespaceReuse.Sender a, b;
        using (server)
        using (var reuse = PidNamespaceReuse.Start(cgroup, nsComm, "127.0.0.1", port, 11_111, 22_222))
        {
            a = reuse.First();
            (b, _) = reuse.Second();
            TcpPeers.Result(server, "received");
        }
        Assert.Equal(a.NamespacePid, b.NamespacePid);

        // The same host PID twice (set_tid): one tgid, two start times, two rows.
        var pid = SendAndExit(cgroup, receivers, hostComm, 33_333);
        SendAsAndExit(cgroup, receivers, pid, hostComm, 44_444);
        Thread.Sleep(2500);

        // Each frame lists the processes seen in it; each process is a row with its own total, never one merged row.
        var rows = top.Transcript.Split('\n').Where(l => l.StartsWith('{'))
            .SelectMany(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("rows").EnumerateArray())
            .Select(r => (Comm: r.GetProperty("comm").GetString(), Pid: r.GetProperty("pid").GetInt32(), Sent: r.GetProperty("sent_bytes").GetUInt64()))
            .ToHashSet();
        Assert.Contains((nsComm, a.HostPid, 11_111UL), rows);
        Assert.Contains((nsComm, b.HostPid, 22_222UL), rows);
        Assert.DoesNotContain(rows, r => r.Comm == nsComm && r.Sent == 33_333UL);
        Assert.Contains((hostComm, pid, 33_333UL), rows);
        Assert.Contains((hostComm, pid, 44_444UL), rows);
        Assert.DoesNotContain(rows, r => r.Comm == hostComm && r.Sent == 77_777UL);
    }

    /// <summary>A process in <paramref name="cgroup"/> sends <paramref name="bytes"/> and exits; returns its PID.</summary>
    private static int SendAndExit(TempCgroup cgroup, TempCgroup receivers, string comm, long bytes)
    {
        var (server, port) = TcpPeers.Serve(receivers, null, TcpPeers.Comm("rx"), "127.0.0.1");
        using (server)
        using (var p = TcpPeers.Send(cgroup, null, comm, "127.0.0.1", port, bytes, 1000))
        {
            Assert.Equal(bytes, TcpPeers.Result(p, "sent"));
            TcpPeers.Result(server, "received");
            return p.Id;
        }
    }

    /// <summary>The same from a child created with exactly <paramref name="pid"/> (clone3 with set_tid).</summary>
    private static void SendAsAndExit(TempCgroup cgroup, TempCgroup receivers, int pid, string comm, long bytes)
    {
        var (server, port) = TcpPeers.Serve(receivers, null, TcpPeers.Comm("rx"), "127.0.0.1");
        using (server)
        using (var p = TcpPeers.SendAs(cgroup, pid, comm, "127.0.0.1", port, bytes))
        {
            var printed = TcpPeers.Results(p);
            Assert.Equal((long)pid, printed["pid"]);
            Assert.Equal(bytes, printed["sent"]);
            TcpPeers.Result(server, "received");
        }
    }
}
