using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using Ebpf.Examples.XdpProxy.ControlPlane;
using Ebpf.Examples.XdpProxy.DataPlane;

namespace Ebpf.Examples.XdpProxy.Commands;

/// <summary>`run`: attach, print per-backend counters every second, detach on Ctrl+C or SIGTERM.</summary>
internal static class RunCommand
{
    public static int Run(Args a)
    {
        var options = Parse(a);
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });

        using var balancer = new Balancer(new ProxyDataPlane(), options);
        balancer.Start();
        using var control = new ControlSocket(options.Interface, options.Netns, request => Handle(balancer, options, request));
        Console.WriteLine($"xdp-proxy: balancing {options.Vip}:{options.Port} on {options.Interface}" +
                          $"{(options.Netns is null ? "" : $" in {options.Netns}")} ({options.Mode.ToString().ToLowerInvariant()} mode), " +
                          $"source {balancer.SnatAddress}, backends {string.Join(", ", options.Backends)}; Ctrl+C to stop");

        var previous = balancer.Snapshot();
        var clock = Stopwatch.StartNew();
        while (!stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(1)))
        {
            foreach (var problem in balancer.RefreshNeighbours())
                Console.Error.WriteLine($"xdp-proxy: warning: {problem}");
            var now = balancer.Snapshot();
            Console.WriteLine(StatsFormat.PerSecond(previous, now, clock.Elapsed, partial: false));
            clock.Restart();
            previous = now;
        }
        // One more reading at stop, still attached: what passed since the last tick belongs in the last row and the totals.
        var final = balancer.Snapshot();
        Console.WriteLine(StatsFormat.PerSecond(previous, final, clock.Elapsed, partial: true));
        Console.WriteLine("xdp-proxy: stopping; totals:");
        Console.Write(StatsFormat.Table(final));
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

    private static BalancerOptions Parse(Args a)
    {
        var port = a.Int("--port", 0);
        if (port is < 1 or > 65535)
            throw new UsageException("--port wants the VIP's TCP port (1-65535)");
        var mode = a.Option("--mode") switch
        {
            null or "native" => XdpAttachMode.Native,
            "generic" => XdpAttachMode.Generic,
            var m => throw new UsageException($"--mode is native or generic, not '{m}'"),
        };
        var (min, max) = (BalancerOptions.DefaultNatPortMin, BalancerOptions.DefaultNatPortMax);
        if (a.Option("--nat-ports") is { } range)
        {
            var parts = range.Split('-');
            if (parts.Length != 2 || !int.TryParse(parts[0], out min) || !int.TryParse(parts[1], out max))
                throw new UsageException($"--nat-ports wants MIN-MAX, not '{range}'");
        }
        return new BalancerOptions(
            a.Required("--iface"),
            a.Option("--netns"),
            ParseIp(a.Required("--vip"), "--vip"),
            port,
            a.All("--backend").Select(b => BalancerOptions.ParseBackend(b, port)).ToArray(),
            mode,
            a.Option("--snat") is { } snat ? ParseIp(snat, "--snat") : null,
            min,
            max);
    }

    private static IPAddress ParseIp(string text, string option) =>
        IPAddress.TryParse(text, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? ip
            : throw new UsageException($"{option} wants an IPv4 address, not '{text}'");
}
