using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ebpf.Examples.XdpProxy.ControlPlane;

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
        Console.Write(StatsFormat.Table(snapshot));
        return 0;
    }
}

internal static class StatsFormat
{
    public static string Table(BalancerSnapshot s)
    {
        var lines = new List<string>
        {
            $"{s.Vip} on {s.Interface}{(s.Netns is null ? "" : $" ({s.Netns})")}, {s.Mode} mode, source {s.Snat}; " +
            $"passed {s.Passed}, dropped: no backend {s.NoBackend}, no NAT port {s.NatExhausted}; program CPU {s.ProgramCpuMs:F1} ms",
            $"{"slot",4} {"backend",-21} {"state",-8} {"table",6} {"pkts->be",10} {"bytes->be",12} {"pkts->cl",10} {"bytes->cl",12}",
        };
        lines.AddRange(s.Backends.Select(b =>
            $"{b.Slot,4} {b.Backend,-21} {b.State,-8} {b.TableEntries,6} {b.PacketsToBackend,10} {b.BytesToBackend,12} {b.PacketsToClient,10} {b.BytesToClient,12}"));
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>
    /// One line per second for `run`: each backend's packet rates both ways over <paramref name="elapsed"/>, and its
    /// totals; the partial line at stop covers less than a second and says so.
    /// </summary>
    public static string PerSecond(BalancerSnapshot before, BalancerSnapshot after, TimeSpan elapsed, bool partial)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-3);
        return DateTime.Now.ToString("HH:mm:ss ", CultureInfo.InvariantCulture) + string.Join("  ", after.Backends.Select(b =>
        {
            var p = before.Backends.FirstOrDefault(x => x.Slot == b.Slot && x.Backend == b.Backend);
            return string.Create(CultureInfo.InvariantCulture,
                $"{b.Backend} [{b.State}] {(b.PacketsToBackend - (p?.PacketsToBackend ?? 0)) / seconds:0} pkt/s in, " +
                $"{(b.PacketsToClient - (p?.PacketsToClient ?? 0)) / seconds:0} pkt/s out (total {b.PacketsToBackend}/{b.PacketsToClient})");
        })) + (partial ? string.Create(CultureInfo.InvariantCulture, $"  (last {seconds:0.00} s, until stop)") : "");
    }
}
