using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Ebpf.Examples.Health;
using Ebpf.Examples.Sockredir.Linux;
using Ebpf.Examples.Sockredir.Redirector;
using static Ebpf.Examples.Sockredir.SockredirSkel.SpliceStat;

namespace Ebpf.Examples.Sockredir.Commands;

/// <summary>
/// `sockredir run`: attach to a cgroup (one it creates, or --cgroup PATH), print counters once a second, and on
/// Ctrl+C, SIGTERM, SIGHUP, --seconds or an error detach and remove the cgroup it created.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var cgroup = new Option<string?>("--cgroup")
        {
            Description = "an existing cgroup v2 directory, used as it is and never removed (default: create sockredir-<pid>)",
            HelpName = "PATH",
        };
        var parent = new Option<string?>("--parent") { Description = "where to create the cgroup (default: the cgroup v2 root)", HelpName = "DIR" };
        var health = HealthOption.Create();
        var seconds = InvariantOptions.Number("--seconds", "stop after N seconds; 0: run until Ctrl+C or SIGTERM", 0, int.MaxValue, 0);
        var settings = new RedirectorOptionSet();
        var command = new Command("run",
            "Redirect same-host TCP between the processes of a cgroup; counters every second until Ctrl+C, SIGTERM or --seconds, " +
            "then the totals. By default it creates the cgroup sockredir-<pid> under the cgroup v2 root (or under --parent) and prints " +
            "the command that puts a shell in it; on exit it detaches and removes that cgroup, moving processes still in it back to " +
            "the parent (not killed). On start it removes empty sockredir-<pid> cgroups of runs that are gone (a run killed with SIGKILL leaves one).")
        {
            cgroup, parent, seconds, health,
        };
        settings.AddTo(command);
        command.SetAction(r => Run(r.GetValue(cgroup), r.GetValue(parent), r.GetValue(seconds), settings.From(r), r.GetValue(health)));
        return command;
    }

    private static int Run(string? given, string? parent, int seconds, RedirectorOptions options, string? health)
    {
        if (given is not null && parent is not null)
            throw new UsageException("--cgroup and --parent exclude each other: --cgroup names an existing cgroup, --parent says where to create one");
        using var stop = new CancellationTokenSource();
        // Registered before the cgroup exists, so a signal at any moment from here on ends in the cleanup below.
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop); // the terminal closed
        if (seconds > 0)
            stop.CancelAfter(TimeSpan.FromSeconds(seconds));

        if (given is not null)
            return Redirect(given, options, health, stop.Token); // the user's cgroup: used as it is, never removed

        parent ??= Cgroups.Root();
        foreach (var line in RunCgroupNames.SweepLeftovers(parent))
            Console.WriteLine($"sockredir: {line}");
        var owned = new OwnedCgroup(parent);
        try
        {
            Console.WriteLine($"sockredir: created cgroup {owned.Path}; it is removed when this run stops (processes still in it are moved back to {parent}, not killed)");
            Console.WriteLine($"sockredir: to put a shell in it, paste into that shell:  {owned.JoinCommand}");
            return Redirect(owned.Path, options, health, stop.Token);
        }
        finally
        {
            // Redirect has detached by now (its redirector is disposed), so nothing of this run outlives the cgroup.
            var moved = owned.Remove();
            Console.WriteLine($"sockredir: removed cgroup {owned.Path}" + (moved > 0 ? $"; moved {moved} process(es) still in it to {parent}" : ""));
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // do not die here: fall out of the loop, detach and clean up
            stop.Cancel();
        }
    }

    /// <summary>Loads, attaches to <paramref name="cgroup"/>, prints counters until <paramref name="stop"/>, detaches.</summary>
    private static int Redirect(string cgroup, RedirectorOptions options, string? health, CancellationToken stop)
    {
        using var redirector = new SocketRedirector(options);
        foreach (var other in redirector.OtherSockOpsPrograms(cgroup))
            Console.Error.WriteLine($"sockredir: warning: sock_ops program {other} already runs for {cgroup} (attached to it or to a cgroup above it); two sockmap users on one cgroup can steal each other's sockets");
        redirector.Attach(cgroup);
        // Disposed before the redirector (declared after it): a probe never sees a half-detached agent as healthy.
        using var endpoint = health is null ? null : new HealthEndpoint(health, redirector.Health);
        if (endpoint is not null)
            Console.WriteLine($"sockredir: health at {endpoint.Url}");
        Console.WriteLine($"sockredir: redirecting TCP between processes in {cgroup}" +
                          (cgroup == Cgroups.Root() ? " (the whole machine)" : "") +
                          "; connections made from now on; Ctrl+C to stop");

        // Passed to TCP, by reason: "no peer" (remote, outside the cgroup), "after TCP" (the socket already sent through
        // TCP, or was demoted for small writes: it stays on TCP to keep bytes in order), "other" (other family, size limit).
        Console.WriteLine("                    redirected            passed to TCP, msg/s");
        Console.WriteLine("    time  sockets       msg/s      MB/s    no peer  after TCP    other  demoted  pulled/s");
        var last = redirector.ReadStats();
        var clock = Stopwatch.StartNew();
        while (!stop.WaitHandle.WaitOne(TimeSpan.FromSeconds(1)))
            last = PrintRow(redirector, last, clock, partial: false);
        // One more reading at stop: whatever moved since the last tick (a short job may have run entirely inside it)
        // belongs in the last row and in the totals.
        var final = PrintRow(redirector, last, clock, partial: true);
        Console.WriteLine($"sockredir: stopping; totals: {final}");
        return 0;
    }

    /// <summary>
    /// Reads the counters and prints one row of rates since <paramref name="last"/>, over the time the clock says
    /// has passed (a partial row at stop covers less than a second, and says so). Returns the reading.
    /// </summary>
    private static RedirectorStats PrintRow(SocketRedirector redirector, RedirectorStats last, Stopwatch clock, bool partial)
    {
        var now = redirector.ReadStats();
        var seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-3);
        clock.Restart();
        var d = now.Since(last);
        double Rate(ulong v) => v / seconds;
        Console.WriteLine($"{DateTime.Now:HH:mm:ss}  {redirector.SocketCount(),7}  {Rate(d[StatRedirectedMsgs]),10:0}  {Rate(d[StatRedirectedBytes]) / 1e6,8:0.0}  " +
                          $"{Rate(d[StatPassedNoPeer]),9:0}  {Rate(d[StatPassedTcpBound]),9:0}  {Rate(d[StatPassedFamily] + d[StatPassedLarge] + d[StatNoState]),7:0}  " +
                          $"{d[StatDemoted],7}  {Rate(d[StatPassPulled]),8:0}" +
                          (partial ? string.Create(CultureInfo.InvariantCulture, $"  (last {seconds:0.00} s, until stop)") : ""));
        return now;
    }
}
