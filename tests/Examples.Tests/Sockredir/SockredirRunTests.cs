using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Ebpf.Examples.Linux;
using Ebpf.Programs;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Sockredir;

/// <summary>
/// `sockredir run` as a user starts it (the real app, in its own process), stopped by SIGTERM or SIGKILL: what stays
/// in the kernel and in the cgroup tree afterwards. Each test gives the app a parent cgroup of its own (--parent), so
/// the app's sweep of dead runs' cgroups only ever looks inside the test's directory, never at a real user's runs.
/// </summary>
[Collection(SockredirCollection.Name)]
public sealed class SockredirRunTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public void SigtermDetachesEverythingRemovesTheCgroupAndMovesItsProcessesToTheParent()
    {
        Kernel.RequireRoot();
        using var parent = new TempCgroup("srp");
        using var run = StartRun("--parent", parent.Path, "--seconds", "600");
        var cgroup = CreatedCgroup(run);
        Assert.Equal(Path.Combine(parent.Path, $"sockredir-{run.Id}"), cgroup);
        var objects = KernelObjects.Of(cgroup);

        // The printed command, pasted into a shell as the app suggests, puts that shell (here: a sleep it execs) in the cgroup.
        var join = run.LineWith("paste into that shell:")!.Split("paste into that shell:", 2)[1].Trim();
        using var sleeper = HostCommand.Start("/bin/sh", ["-c", join + " && exec sleep 600"]);
        try
        {
            Assert.True(SpinWait.SpinUntil(() => File.ReadAllText(Path.Combine(cgroup, "cgroup.procs")).Contains(sleeper.Id.ToString()), 5000),
                        $"`{join}` did not put the shell in {cgroup}");

            run.Signal(Posix.SigTerm);
            Assert.True(run.WaitForExit(ExitTimeout), $"run did not exit on SIGTERM:\n{run.Transcript}");
            Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}:\n{run.Transcript}");

            Assert.False(Directory.Exists(cgroup), $"{cgroup} is left:\n{run.Transcript}");
            Assert.False(sleeper.HasExited, "the process left in the cgroup was killed; it should have been moved to the parent");
            Assert.Equal(parent.Path, CgroupOf(sleeper.Id));
            Assert.Contains($"moved 1 process(es) still in it to {parent.Path}", run.Transcript);
            Assert.Empty(objects.WaitGone(TimeSpan.FromSeconds(10)));
        }
        finally
        {
            if (!sleeper.HasExited)
                sleeper.Kill();
            sleeper.WaitForExit();
        }
    }

    [Fact]
    public void SigkillLeavesNothingAttachedAndTheNextRunRemovesTheEmptyCgroupItLeft()
    {
        Kernel.RequireRoot();
        using var parent = new TempCgroup("srp");
        string cgroup;
        int killedPid;
        KernelObjects objects;
        using (var run = StartRun("--parent", parent.Path, "--seconds", "600"))
        {
            killedPid = run.Id;
            cgroup = CreatedCgroup(run);
            objects = KernelObjects.Of(cgroup);
            run.Signal(Posix.SigKill);
            Assert.True(run.WaitForExit(ExitTimeout), "run did not die on SIGKILL");
        }
        Assert.Empty(objects.WaitGone(TimeSpan.FromSeconds(10))); // the links died with the process
        Assert.True(Directory.Exists(cgroup), "a SIGKILLed run cannot remove its cgroup; the test expects it left behind");

        // Cgroups the sweep must keep: one named after a live pid (this test process), one of a dead pid with a process in it.
        var live = Directory.CreateDirectory(Path.Combine(parent.Path, $"sockredir-{Environment.ProcessId}")).FullName;
        var busy = Directory.CreateDirectory(Path.Combine(parent.Path, $"sockredir-{DeadPid()}")).FullName;
        using var sleeper = HostCommand.Start("/bin/sh", ["-c", $"echo $$ > {busy}/cgroup.procs && exec sleep 600"]);
        try
        {
            Assert.True(SpinWait.SpinUntil(() => File.ReadAllText(Path.Combine(busy, "cgroup.procs")).Trim().Length > 0, 5000));

            using var next = StartRun("--parent", parent.Path, "--seconds", "1");
            Assert.True(next.WaitForExit(StartTimeout), $"the second run did not stop after 1 s:\n{next.Transcript}");
            Assert.True(next.ExitCode == 0, $"exit code {next.ExitCode}:\n{next.Transcript}");
            Assert.Contains($"removed {cgroup}, left by run {killedPid} that no longer exists", next.Transcript);
            Assert.False(Directory.Exists(cgroup), $"{cgroup} is still there:\n{next.Transcript}");
            Assert.True(Directory.Exists(live), "the sweep removed the cgroup of a live pid");
            Assert.True(Directory.Exists(busy), "the sweep removed a cgroup with a process in it");
            Assert.Contains($"kept {busy}", next.Transcript);
            Assert.False(Directory.Exists(Path.Combine(parent.Path, $"sockredir-{next.Id}")), "the second run left its own cgroup");
        }
        finally
        {
            if (!sleeper.HasExited)
                sleeper.Kill();
            sleeper.WaitForExit();
        }
    }

    [Fact]
    public void AGivenCgroupIsUsedAsItIsAndNeverRemoved()
    {
        Kernel.RequireRoot();
        using var target = new TempCgroup("src");
        using var run = StartRun("--cgroup", target.Path, "--seconds", "600");
        Assert.True(run.WaitForLine($"redirecting TCP between processes in {target.Path}", StartTimeout) is not null, $"run did not attach:\n{run.Transcript}");
        Assert.Null(run.LineWith("created cgroup"));
        var objects = KernelObjects.Of(target.Path);

        run.Signal(Posix.SigTerm);
        Assert.True(run.WaitForExit(ExitTimeout), $"run did not exit on SIGTERM:\n{run.Transcript}");
        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}:\n{run.Transcript}");
        Assert.True(Directory.Exists(target.Path), "run removed a cgroup it did not create");
        Assert.Empty(objects.WaitGone(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void ASockOpsProgramOfSomeoneElseAboveTheCgroupIsWarnedAbout()
    {
        Kernel.RequireRoot();
        using var parent = new TempCgroup("src");
        var target = Directory.CreateDirectory(Path.Combine(parent.Path, "app")).FullName;
        using var other = BpfObject.OpenFile(TestObjects.Compile("attach_net.bpf.c"));
        other.Load();
        using var link = other.GetProgram<SockOpsProgram>("attach_sockops").AttachCgroup(parent.Path);

        using var run = StartRun("--cgroup", target, "--seconds", "600");
        Assert.True(run.WaitForLine("redirecting TCP between processes in", StartTimeout) is not null, $"run did not attach:\n{run.Transcript}");
        var warning = run.LineWith("warning: sock_ops program ");
        Assert.True(warning is not null && warning.Contains($"attach_sockops (id {link.Program.Id}", StringComparison.Ordinal),
                    $"no warning about the parent's sock_ops program:\n{run.Transcript}");

        run.Signal(Posix.SigTerm);
        Assert.True(run.WaitForExit(ExitTimeout), $"run did not exit on SIGTERM:\n{run.Transcript}");
    }

    [Fact]
    public async Task TheTotalsAtStopCountTrafficThatEndedInsideTheLastSecond()
    {
        const int connections = 3, writes = 64, writeSize = 64 << 10; // 4 MiB a connection, in writes too large to be demoted
        using var lab = new SockredirLab(); // a namespace and a cgroup; the app attaches to the cgroup, the lab's own redirector stays unattached
        using var run = StartRun("--cgroup", lab.Cgroup.Path, "--seconds", "600");
        Assert.True(run.WaitForLine("redirecting TCP between processes in", StartTimeout) is not null, $"run did not attach:\n{run.Transcript}");

        // Start right after a tick, so that the whole job falls between two ticks: only a reading at stop can see it.
        var rows = Rows(run).Count;
        Assert.True(SpinWait.SpinUntil(() => Rows(run).Count > rows, 5000), $"no per-second row:\n{run.Transcript}");
        var loBefore = lab.LoopbackTxBytes();
        var pairs = lab.Connect(connections, IPAddress.Loopback, IPAddress.Loopback);
        await Task.WhenAll(pairs.SelectMany((p, i) => new[]
        {
            Task.Run(() => Streams.WritePattern(p.Client, i, Enumerable.Repeat(writeSize, writes)), TestContext.Current.CancellationToken),
            Streams.ReceivePatternAsync(p.Server, i, (long)writes * writeSize, TestContext.Current.CancellationToken),
        }));
        run.Signal(Posix.SigTerm);
        Assert.True(run.WaitForExit(ExitTimeout), $"run did not exit on SIGTERM:\n{run.Transcript}");
        var loopback = lab.LoopbackTxBytes() - loBefore;

        Assert.True(run.LineWith("stopping; totals:") is not null, $"no totals:\n{run.Transcript}");
        var totals = Totals(run);
        Assert.True(Total(totals, "SocketsAdded") == 2 * connections, $"the totals miss sockets of the last second:\n{run.Transcript}");
        Assert.True(Total(totals, "RedirectedBytes") == (ulong)(connections * writes * writeSize), $"the totals miss bytes of the last second:\n{run.Transcript}");
        Assert.True(loopback < writeSize, $"loopback carried {loopback} bytes: the traffic was not redirected, so the totals prove nothing");
        var last = Rows(run)[^1];
        Assert.True(last.Contains("until stop", StringComparison.Ordinal), $"no partial row at stop:\n{run.Transcript}");
    }

    /// <summary>The per-second rows printed so far (they start with the time of day).</summary>
    private static List<string> Rows(AppRun run) =>
        run.Transcript.Split('\n').Where(l => Regex.IsMatch(l, @"^\d\d:\d\d:\d\d ")).ToList();

    /// <summary>
    /// The totals table printed after "stopping; totals:" (Spectre.Console, rendered as plain text since the output is
    /// not a terminal): each row is a counter's name and its value.
    /// </summary>
    private static Dictionary<string, ulong> Totals(AppRun run) =>
        run.Transcript.Split('\n').SkipWhile(l => !l.Contains("stopping; totals:", StringComparison.Ordinal)).Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 2 && ulong.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .ToDictionary(f => f[0], f => ulong.Parse(f[1], CultureInfo.InvariantCulture));

    private static ulong Total(Dictionary<string, ulong> totals, string name) =>
        totals.TryGetValue(name, out var v) ? v : throw new Xunit.Sdk.XunitException($"no {name} in the totals: {string.Join(", ", totals)}");

    private static AppRun StartRun(params string[] args)
    {
        RunPrefix.EnsureSwept();
        return new AppRun("sockredir.dll", ["run", .. args]);
    }

    /// <summary>Waits until run says it is attached; returns the cgroup it says it created.</summary>
    private static string CreatedCgroup(AppRun run)
    {
        Assert.True(run.WaitForLine("redirecting TCP between processes in", StartTimeout) is not null, $"run did not attach:\n{run.Transcript}");
        var line = run.LineWith("created cgroup ")!;
        return line.Split("created cgroup ", 2)[1].Split(';')[0];
    }

    private static string CgroupOf(int pid) => TempCgroup.Of(pid);

    /// <summary>The pid of a process that has exited: a name the sweep must treat as a dead run's.</summary>
    private static int DeadPid()
    {
        using var p = HostCommand.Start("/bin/true", []);
        p.WaitForExit();
        return p.Id;
    }
}
