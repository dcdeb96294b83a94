using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Ebpf.Examples.Health;
using Ebpf.Examples.Sockredir.Linux;
using Ebpf.Examples.Sockredir.Redirector;
using Spectre.Console;

namespace Ebpf.Examples.Sockredir.Commands;

/// <summary>
/// `sockredir run`: attach to a cgroup (one it creates, or --cgroup PATH), print counters once a second, and on
/// Ctrl+C, SIGTERM, SIGHUP, --seconds or an error detach and remove the cgroup it created.
/// </summary>
internal static class RunCommand
{
    /// <summary>Seconds the live view keeps on screen.</summary>
    private const int LiveRows = 10;

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

        // Every second: on a terminal a live table of the latest rows, otherwise (a log, a pipe) one line.
        var live = Terminal.IsLive;
        var recent = new Queue<RunRates>();
        var last = redirector.ReadStats();
        var clock = Stopwatch.StartNew();
        RunRates Read(bool partial)
        {
            var now = redirector.ReadStats();
            var rates = new RunRates(DateTime.Now, redirector.SocketCount(), now.Since(last), clock.Elapsed.TotalSeconds, partial);
            clock.Restart();
            last = now;
            return rates;
        }
        if (live)
            AnsiConsole.Live(RunRates.Table(cgroup, recent)).Start(ctx =>
            {
                while (!stop.WaitHandle.WaitOne(TimeSpan.FromSeconds(1)))
                {
                    recent.Enqueue(Read(partial: false));
                    if (recent.Count > LiveRows)
                        recent.Dequeue();
                    ctx.UpdateTarget(RunRates.Table(cgroup, recent));
                    ctx.Refresh();
                }
            });
        else
        {
            foreach (var line in RunRates.LogHeader)
                Console.WriteLine(line);
            while (!stop.WaitHandle.WaitOne(TimeSpan.FromSeconds(1)))
                Console.WriteLine(Read(partial: false).Line());
        }
        // One more reading at stop: whatever moved since the last tick (a short job may have run entirely inside it)
        // belongs in the totals, and in the last line of a log.
        var final = Read(partial: true);
        if (!live)
            Console.WriteLine(final.Line());
        Console.WriteLine("sockredir: stopping; totals:");
        AnsiConsole.Write(RunRates.Totals(last));
        return 0;
    }
}
