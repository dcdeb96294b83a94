using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ebpf.Examples.XdpProxy.ControlPlane;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ebpf.Examples.XdpProxy.Commands;

/// <summary>`stats`: the running balancer's counters, as a table or JSON.</summary>
internal static class StatsCommand
{
    public static Command Create()
    {
        var iface = XdpOptions.Iface("the interface of the balancer to ask (needed when several run)");
        var netns = XdpOptions.Netns();
        var json = new Option<bool>("--json") { Description = "the counters as JSON" };
        var command = new Command("stats", "counters of a running balancer, read when asked") { iface, netns, json };
        command.SetAction(r => Run(r.GetValue(iface), r.GetValue(netns), r.GetValue(json)));
        return command;
    }

    private static int Run(string? iface, string? netns, bool asJson)
    {
        var reply = ControlSocket.Send("stats", iface, netns).TrimEnd();
        if (!reply.StartsWith("ok ", StringComparison.Ordinal))
            return BackendCommand.Reply(reply);
        var json = reply[3..];
        if (asJson)
        {
            Console.WriteLine(json);
            return 0;
        }
        var snapshot = JsonSerializer.Deserialize(json, SnapshotJson.Default.BalancerSnapshot)!;
        AnsiConsole.Write(StatsFormat.Table(snapshot));
        return 0;
    }
}

/// <summary>The balancer's counters as Spectre.Console tables (`stats`, and `run`'s live view and totals) and as log lines.</summary>
internal static class StatsFormat
{
    /// <summary>
    /// A line about the balancer, then one row per backend. Figures are plain integers, so a script (or a test) reads
    /// them back from the rendered table as they were counted.
    /// </summary>
    public static IRenderable Table(BalancerSnapshot s)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn(Terminal.Figure("slot")).AddColumn("backend").AddColumn("state").AddColumn(Terminal.Figure("table"))
            .AddColumn(Terminal.Figure("pkts->be")).AddColumn(Terminal.Figure("bytes->be"))
            .AddColumn(Terminal.Figure("pkts->cl")).AddColumn(Terminal.Figure("bytes->cl"));
        foreach (var b in s.Backends)
            table.AddRow(Num(b.Slot), Markup.Escape(b.Backend), Markup.Escape(b.State), Num(b.TableEntries),
                         Num(b.PacketsToBackend), Num(b.BytesToBackend), Num(b.PacketsToClient), Num(b.BytesToClient));
        return new Rows(new Text(
            $"{s.Vip} on {s.Interface}{(s.Netns is null ? "" : $" ({s.Netns})")}, {s.Mode} mode, source {s.Snat}; " +
            string.Create(CultureInfo.InvariantCulture,
                $"passed {s.Passed}, dropped: no backend {s.NoBackend}, no NAT port {s.NatExhausted}; program CPU {s.ProgramCpuMs:F1} ms")), table);
    }

    /// <summary>`run`'s live view on a terminal: each backend's packet rates both ways over the last interval, and its totals.</summary>
    public static IRenderable Rates(BalancerSnapshot before, BalancerSnapshot after, TimeSpan elapsed)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-3);
        var table = new Table().Border(TableBorder.Simple)
            .Title(string.Create(CultureInfo.InvariantCulture, $"xdp-proxy  {DateTime.Now:HH:mm:ss}, last {seconds:0.0} s"))
            .AddColumn("backend").AddColumn("state")
            .AddColumn(Terminal.Figure("pkt/s in")).AddColumn(Terminal.Figure("pkt/s out"))
            .AddColumn(Terminal.Figure("pkts in")).AddColumn(Terminal.Figure("pkts out"));
        foreach (var b in after.Backends)
        {
            var p = Previous(before, b);
            table.AddRow(Markup.Escape(b.Backend), Markup.Escape(b.State),
                         Rate(b.PacketsToBackend - (p?.PacketsToBackend ?? 0), seconds), Rate(b.PacketsToClient - (p?.PacketsToClient ?? 0), seconds),
                         Num(b.PacketsToBackend), Num(b.PacketsToClient));
        }
        return table;
    }

    /// <summary>
    /// One line per second for `run` when stdout is not a terminal: each backend's packet rates both ways over
    /// <paramref name="elapsed"/>, and its totals; the partial line at stop covers less than a second and says so.
    /// </summary>
    public static string PerSecond(BalancerSnapshot before, BalancerSnapshot after, TimeSpan elapsed, bool partial)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-3);
        return DateTime.Now.ToString("HH:mm:ss ", CultureInfo.InvariantCulture) + string.Join("  ", after.Backends.Select(b =>
        {
            var p = Previous(before, b);
            return string.Create(CultureInfo.InvariantCulture,
                $"{b.Backend} [{b.State}] {Rate(b.PacketsToBackend - (p?.PacketsToBackend ?? 0), seconds)} pkt/s in, " +
                $"{Rate(b.PacketsToClient - (p?.PacketsToClient ?? 0), seconds)} pkt/s out (total {b.PacketsToBackend}/{b.PacketsToClient})");
        })) + (partial ? string.Create(CultureInfo.InvariantCulture, $"  (last {seconds:0.00} s, until stop)") : "");
    }

    private static BackendSnapshot? Previous(BalancerSnapshot before, BackendSnapshot b) =>
        before.Backends.FirstOrDefault(x => x.Slot == b.Slot && x.Backend == b.Backend);

    private static string Rate(ulong count, double seconds) => (count / seconds).ToString("0", CultureInfo.InvariantCulture);

    private static string Num<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
