using Ebpf.Examples.Tcptop.Kernel;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// Processes that exit and PIDs that are reused: a series leaves after --grace, its bytes stay in its cgroup's total,
/// every counter is monotonic across scrapes, a reused PID is a new process (a new row in top, a new kernel entry),
/// and a label set the new process shares with the old one keeps counting upward.
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
        using var export = new ExportRun("--grace", "3s", "--labels", "comm,cgroup,pid");
        using var cgroup = new TempCgroup("ttlc");
        using var receivers = new TempCgroup("ttlr");
        var comm = TcpPeers.Comm("reuse");
        var cgroupName = Path.GetRelativePath(Ebpf.KernelMounts.Cgroup2Root!, cgroup.Path);
        var history = new ScrapeHistory();

        // The first process: sends, exits.
        var (server1, port1) = TcpPeers.Serve(receivers, null, TcpPeers.Comm("reuserx"), "127.0.0.1");
        int pid;
        using (server1)
        using (var a = TcpPeers.Send(cgroup, null, comm, "127.0.0.1", port1, first, 1000))
        {
            pid = a.Id;
            Assert.Equal(first, TcpPeers.Result(a, "sent"));
            TcpPeers.Result(server1, "received");
        }
        var s1 = history.Add(await export.ScrapeAsync(Ct));
        Assert.Equal(first, s1.Sum("tcptop_sent_bytes_total", ("comm", comm), ("pid", pid.ToString())));
        Assert.Equal(first, s1.Sum("tcptop_cgroup_sent_bytes_total", ("cgroup", cgroupName)));
        var oldEntry = Assert.Single(tracer.Read().Processes, p => p.Comm == comm);
        Assert.True(oldEntry.Exited);

        // After the grace period (and a scrape that sees it pass) the series is gone; the cgroup keeps the bytes.
        await Task.Delay(grace + TimeSpan.FromSeconds(1), Ct);
        history.Add(await export.ScrapeAsync(Ct));
        var s2 = history.Add(await export.ScrapeAsync(Ct));
        Assert.DoesNotContain(s2.Samples, s => s.Name == "tcptop_sent_bytes_total" && s.Labels.GetValueOrDefault("comm") == comm);
        Assert.Equal(first, s2.Sum("tcptop_cgroup_sent_bytes_total", ("cgroup", cgroupName)));

        // A new process with the same PID (clone3 with set_tid), the same comm and cgroup: a new kernel entry
        // (another start time), and the label set {comm, cgroup, pid} continues from where it was.
        var (server2, port2) = TcpPeers.Serve(receivers, null, TcpPeers.Comm("reuserx"), "127.0.0.1");
        using (server2)
        using (var b = TcpPeers.SendAs(cgroup, pid, comm, "127.0.0.1", port2, second))
        {
            b.StandardInput.Close();
            var output = b.StandardOutput.ReadToEnd();
            b.WaitForExit();
            Assert.True(b.ExitCode == 0, $"sendas failed: {output} {b.StandardError.ReadToEnd()}");
            Assert.Contains($"pid {pid}\n", output);
            Assert.Contains($"sent {second}", output);
            TcpPeers.Result(server2, "received");
        }
        var entries = tracer.Read().Processes.Where(p => p.Comm == comm).ToArray();
        Assert.Equal(2, entries.Length);
        Assert.All(entries, e => Assert.Equal(pid, e.Id.Pid));
        Assert.NotEqual(entries[0].Id.StartNs, entries[1].Id.StartNs);
        Assert.Equal((ulong)second, entries.Single(e => e.Id != oldEntry.Id).SentBytes);

        var s3 = history.Add(await export.ScrapeAsync(Ct));
        Assert.Equal(first + second, s3.Sum("tcptop_sent_bytes_total", ("comm", comm), ("pid", pid.ToString())));
        Assert.Equal(first + second, s3.Sum("tcptop_cgroup_sent_bytes_total", ("cgroup", cgroupName)));
        history.AssertMonotonic();
    }

    [Fact]
    public void TopShowsAReusedPidAsANewRow()
    {
        Kernel.RequireRoot();
        using var cgroup = new TempCgroup("ttlt");
        using var receivers = new TempCgroup("ttlu");
        var comm = TcpPeers.Comm("toprow");
        using var top = new AppRun("tcptop.dll", "top", "--json", "--interval", "1s", "--cgroup", cgroup.Path, "-n", "50");
        Assert.True(top.WaitForLine("\"rows\"", TimeSpan.FromSeconds(60)) is not null, top.Transcript);

        var (server1, port1) = TcpPeers.Serve(receivers, null, TcpPeers.Comm("toprx"), "127.0.0.1");
        int pid;
        using (server1)
        using (var a = TcpPeers.Send(cgroup, null, comm, "127.0.0.1", port1, 11_111, 1000))
        {
            pid = a.Id;
            TcpPeers.Result(a, "sent");
            TcpPeers.Result(server1, "received");
        }
        var (server2, port2) = TcpPeers.Serve(receivers, null, TcpPeers.Comm("toprx"), "127.0.0.1");
        using (server2)
        using (var b = TcpPeers.SendAs(cgroup, pid, comm, "127.0.0.1", port2, 22_222))
        {
            b.StandardInput.Close();
            b.StandardOutput.ReadToEnd();
            b.WaitForExit();
            TcpPeers.Result(server2, "received");
        }
        Thread.Sleep(2500);
        // Each frame lists the processes seen in it; the two processes with one PID are two rows, each with its own total.
        var rows = top.Transcript.Split('\n').Where(l => l.StartsWith('{'))
            .SelectMany(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("rows").EnumerateArray())
            .Where(r => r.GetProperty("comm").GetString() == comm && r.GetProperty("pid").GetInt32() == pid)
            .Select(r => r.GetProperty("sent_bytes").GetUInt64()).ToHashSet();
        Assert.Contains(11_111UL, rows);
        Assert.Contains(22_222UL, rows);
        Assert.DoesNotContain(33_333UL, rows);
    }
}
