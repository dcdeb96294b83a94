using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ebpf.Examples.MeshAccel.Agent;
using Ebpf.Maps;
using Spectre.Console;

namespace Ebpf.Examples.MeshAccel.Commands;

/// <summary>`mesh-accel stats`: the installed programs' counters and map sizes, read from the pins (no agent needed).</summary>
internal static class StatsCommand
{
    public static Command Build()
    {
        var json = new Option<bool>("--json") { Description = "one JSON object instead of a table" };
        var pinDir = new Option<string>("--pin-dir") { Description = "where mesh-accel is pinned", DefaultValueFactory = _ => PinLayout.DefaultDir };
        var cmd = new Command("stats", "counters and map sizes of the installed mesh-accel") { json, pinDir };
        cmd.SetAction(r => Run(new PinLayout(r.GetValue(pinDir)!), r.GetValue(json)));
        return cmd;
    }

    public static int Run(PinLayout pins, bool json)
    {
        CommandLine.RequireRoot("stats");
        if (!pins.Installed)
            throw new ToolException($"mesh-accel is not installed (nothing pinned in {pins.Dir}); start it with `mesh-accel run`");
        using var statsMap = BpfMap.OpenPinned(pins.Map("stats"));
        var stats = MeshStats.Read(new PerCpuArrayMap<ulong>(statsMap));
        var sizes = new[] { "pods_by_ip", "pods_by_netns", "orig_by_cookie", "orig_by_tuple", "sock_hash" }
            .Select(name => (name, Count: CountEntries(pins.Map(name)))).ToArray();
        if (json)
        {
            var o = new JsonObject
            {
                ["cgroup"] = pins.InstalledCgroup,
                ["agent_pid"] = pins.RunningAgent,
                ["counters"] = new JsonObject(stats.Named().Select(n => KeyValuePair.Create(n.Name, (JsonNode?)n.Value))),
                ["maps"] = new JsonObject(sizes.Select(s => KeyValuePair.Create(s.name, (JsonNode?)s.Count))),
            };
            Console.WriteLine(o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        AnsiConsole.MarkupLine($"mesh-accel on [bold]{Markup.Escape(pins.InstalledCgroup ?? "?")}[/], " +
                               (pins.RunningAgent is { } pid ? $"agent pid {pid}" : "no agent running (interception continues from the pins)"));
        var counters = new Table().AddColumn("counter").AddColumn(new TableColumn("value").RightAligned());
        foreach (var (name, value) in stats.Named())
            counters.AddRow(name, value.ToString("N0"));
        var maps = new Table().AddColumn("map").AddColumn(new TableColumn("entries").RightAligned());
        foreach (var (name, count) in sizes)
            maps.AddRow(name, count.ToString("N0"));
        AnsiConsole.Write(new Columns(counters, maps));
        return 0;
    }

    /// <summary>Entries in a pinned map, by walking its keys.</summary>
    public static int CountEntries(string pin)
    {
        using var map = BpfMap.OpenPinned(pin);
        return map.Keys.Count();
    }
}
