using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using Ebpf.Examples.XdpProxy.ControlPlane;
using Ebpf.Examples.XdpProxy.DataPlane;
using Ebpf.Links;
using Spectre.Console;

namespace Ebpf.Examples.XdpProxy.Commands;

/// <summary>`run`: attach, show per-backend counters every second (a live table on a terminal), detach on Ctrl+C or SIGTERM.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var iface = XdpOptions.Iface("the interface the VIP's traffic arrives on");
        iface.Required = true;
        var netns = XdpOptions.Netns();
        var vip = XdpOptions.Ipv4("--vip", "the virtual IP clients connect to", required: true);
        var port = InvariantOptions.RequiredNumber("--port", "the VIP's TCP port", 1, 65535);
        var backends = new Option<string[]>("--backend")
        {
            Description = "a backend, IP or IP:PORT (a bare IP gets --port); repeat for more",
            HelpName = "IP[:PORT]",
            Required = true,
        };
        var mode = XdpOptions.Mode();
        var snat = XdpOptions.Ipv4("--snat", "the source address toward the backends (default: the balancer's own address on the way to the first)", required: false);
        var natPorts = XdpOptions.NatPorts();
        var command = new Command("run", "attach the balancer; per-backend counters every second, the totals at Ctrl+C or SIGTERM, then detach")
        {
            iface, netns, vip, port, backends, mode, snat, natPorts,
        };
        command.SetAction(r =>
        {
            var p = r.GetValue(port);
            var (min, max) = r.GetValue(natPorts) ?? (BalancerOptions.DefaultNatPortMin, BalancerOptions.DefaultNatPortMax);
            return Run(new BalancerOptions(r.GetValue(iface)!, r.GetValue(netns), r.GetValue(vip)!, p,
                r.GetValue(backends)!.Select(b => BalancerOptions.ParseBackend(b, p)).ToArray(), r.GetValue(mode) ?? XdpAttachMode.Native, r.GetValue(snat), min, max));
        });
        return command;
    }

    private static int Run(BalancerOptions options)
    {
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });

        using var balancer = new Balancer(new ProxyDataPlane(), options);
        balancer.Start();
        using var control = new ControlSocket(options.Interface, options.Netns, request => Handle(balancer, options, request));
        Console.WriteLine($"xdp-proxy: balancing {options.Vip}:{options.Port} on {options.Interface}" +
                          $"{(options.Netns is null ? "" : $" in {options.Netns}")} ({options.Mode.ToString().ToLowerInvariant()} mode), " +
                          $"source {balancer.SnatAddress}, backends {string.Join(", ", options.Backends)}; Ctrl+C to stop");

        // Every second: on a terminal a live table, otherwise (a log, a pipe) one line.
        var previous = balancer.Snapshot();
        var clock = Stopwatch.StartNew();
        void Tick(Action<BalancerSnapshot, BalancerSnapshot> show)
        {
            while (!stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(1)))
            {
                foreach (var problem in balancer.RefreshNeighbours())
                    Console.Error.WriteLine($"xdp-proxy: warning: {problem}");
                var now = balancer.Snapshot();
                show(previous, now);
                clock.Restart();
                previous = now;
            }
        }
        if (Terminal.IsLive)
            AnsiConsole.Live(StatsFormat.Rates(previous, previous, TimeSpan.Zero)).Start(ctx => Tick((before, now) =>
            {
                ctx.UpdateTarget(StatsFormat.Rates(before, now, clock.Elapsed));
                ctx.Refresh();
            }));
        else
            Tick((before, now) => Console.WriteLine(StatsFormat.PerSecond(before, now, clock.Elapsed, partial: false)));
        // One more reading at stop, still attached: what passed since the last tick belongs in the totals (and in the
        // last line of a log).
        var final = balancer.Snapshot();
        if (!Terminal.IsLive)
            Console.WriteLine(StatsFormat.PerSecond(previous, final, clock.Elapsed, partial: true));
        Console.WriteLine("xdp-proxy: stopping; totals:");
        AnsiConsole.Write(StatsFormat.Table(final));
        Console.WriteLine("xdp-proxy: detaching");
        return 0;
    }

    private static string Handle(Balancer balancer, BalancerOptions options, string request)
    {
        var words = request.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words switch
        {
            ["backend", "add", var b] => balancer.Add(BalancerOptions.ParseBackend(b, options.Port)),
            ["backend", "remove", var b] => balancer.Remove(BalancerOptions.ParseBackend(b, options.Port)),
            ["stats"] => JsonSerializer.Serialize(balancer.Snapshot(), SnapshotJson.Default.BalancerSnapshot),
            _ => throw new ArgumentException($"unknown request '{request}' (backend add|remove IP[:PORT], stats)"),
        };
    }
}
