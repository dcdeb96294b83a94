using System.CommandLine;
using Ebpf.Examples.Health;
using Ebpf.Examples.Tcptop.Accounting;
using Ebpf.Examples.Tcptop.Cgroups;
using Ebpf.Examples.Tcptop.Export;
using Ebpf.Examples.Tcptop.Kernel;
using Ebpf.Programs;

namespace Ebpf.Examples.Tcptop.Commands;

/// <summary>`tcptop export`: Prometheus metrics at /metrics until SIGTERM or Ctrl+C.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = $"ADDR:PORT to serve /metrics on; default every interface, port {ExportOptions.DefaultPort}", DefaultValueFactory = _ => $":{ExportOptions.DefaultPort}", HelpName = "ADDR:PORT" };
        var labels = new Option<string>("--labels") { Description = "Labels of the per-process series: comm, cgroup, pid, comma-separated", DefaultValueFactory = _ => "comm,cgroup", HelpName = "LIST" };
        var maxSeries = CommonOptions.Positive("--max-series", 500, "Per-process series at most; processes beyond are summed into comm=\"other\" (tcptop_series_overflow_total counts them)");
        var grace = new Option<TimeSpan>("--grace") { Description = "How long the series of a process that exited (or a cgroup removed) stay", DefaultValueFactory = _ => TimeSpan.FromSeconds(60), CustomParser = Durations.Parse, HelpName = "DURATION" };
        var bpfStats = new Option<bool>("--bpf-stats") { Description = "Export each program's run count and run time (BPF_ENABLE_STATS: system-wide, costs every BPF program on the node, needs CAP_SYS_ADMIN)" };
        var common = new CommonOptions();
        var command = new Command("export", "Prometheus metrics at http://ADDR:PORT/metrics, read from the kernel at each scrape") { listen, labels, maxSeries, grace, bpfStats };
        common.AddTo(command);
        command.SetAction(p =>
        {
            var (host, port) = ListenAddress.Parse(p.GetValue(listen)!, "--listen");
            var options = new ExportOptions
            {
                Host = host, Port = port, Labels = LabelChoice.Parse(p.GetValue(labels)!), MaxSeries = p.GetValue(maxSeries),
                Grace = p.GetValue(grace), BpfStats = p.GetValue(bpfStats),
            };
            using var session = new Session();
            var names = common.Names(p);
            using var tracer = new TcpTracer(common.Tracer(p, trackConnections: false));
            using var exporter = new MetricsExporter(tracer, names, options);
            Console.WriteLine($"tcptop: serving {exporter.Url} (cgroups below {names.Root}); SIGTERM or Ctrl+C stops");
            session.Token.WaitHandle.WaitOne();
            Console.WriteLine("tcptop: stopping; programs detached");
            return 0;
        });
        return command;
    }
}
