using System.CommandLine;
using Ebpf.Examples.Tcptop.Cgroups;
using Ebpf.Examples.Tcptop.Kernel;
using Ebpf.Examples.Tcptop.Top;
using Spectre.Console;

namespace Ebpf.Examples.Tcptop.Commands;

/// <summary>`tcptop top`: the live table, one table (--once), or one JSON document per interval (--json).</summary>
internal static class TopCommand
{
    public static Command Create()
    {
        var by = new Option<TopGrouping>("--by") { Description = "Rows per process, cgroup or connection", DefaultValueFactory = _ => TopGrouping.Process };
        var pid = new Option<int?>("--pid", "-p") { Description = "Only this process", HelpName = "PID" };
        var cgroup = new Option<string?>("--cgroup") { Description = "Only this cgroup and those below it (a path below the cgroup2 root, or absolute)", HelpName = "PATH" };
        var interval = new Option<TimeSpan>("--interval") { Description = "Time between tables (500ms, 1s, 2m)", DefaultValueFactory = _ => TimeSpan.FromSeconds(1), CustomParser = Durations.Parse, HelpName = "DURATION" };
        var rows = CommonOptions.Positive("--rows", 20, "Rows shown", "-n");
        var once = new Option<bool>("--once") { Description = "Print one table after one interval and exit" };
        var json = new Option<bool>("--json") { Description = "One JSON document per interval (one line each) instead of the table" };
        var common = new CommonOptions();
        var command = new Command("top", "TCP traffic per process, cgroup or connection, live, sorted by total rate") { by, pid, cgroup, interval, rows, once, json };
        common.AddTo(command);
        command.SetAction(p =>
        {
            using var session = new Session();
            var names = common.Names(p);
            var cgroupPath = p.GetValue(cgroup) is { } c ? names.NameOf(names.IdOf(c)) : null;
            var grouping = p.GetValue(by);
            using var tracer = new TcpTracer(common.Tracer(p, grouping == TopGrouping.Connection));
            var sampler = new TopSampler(tracer, names, new TopFilter(grouping, p.GetValue(pid), cgroupPath, p.GetValue(rows)));
            return Run(sampler, grouping, p.GetValue(interval), p.GetValue(once), p.GetValue(json), session.Token);
        });
        return command;
    }

    private static int Run(TopSampler sampler, TopGrouping by, TimeSpan interval, bool once, bool json, CancellationToken stop)
    {
        if (once || json || Console.IsOutputRedirected)
        {
            // one frame per interval, printed in turn (a pipe or a script gets whole tables, no cursor movement)
            while (!stop.WaitHandle.WaitOne(interval))
            {
                var frame = sampler.Sample();
                if (json)
                    Console.WriteLine(TopJsonContext.Serialize(frame));
                else
                    AnsiConsole.Write(TopTable.Render(frame, by));
                if (once)
                    return 0;
            }
            return 0;
        }
        AnsiConsole.Live(TopTable.Render(sampler.Sample(), by)).AutoClear(false).Start(ctx =>
        {
            while (!stop.WaitHandle.WaitOne(interval))
            {
                ctx.UpdateTarget(TopTable.Render(sampler.Sample(), by));
                ctx.Refresh();
            }
        });
        return 0;
    }
}
