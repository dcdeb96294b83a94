using System.CommandLine;
using Ebpf.Examples.MeshAccel.Bench;

namespace Ebpf.Examples.MeshAccel.Commands;

/// <summary>`mesh-accel bench`: see <see cref="MeshBench"/>.</summary>
internal static class BenchCommand
{
    public static Command Build()
    {
        var prefix = new Option<string>("--prefix") { Description = "name prefix of the labs it makes", DefaultValueFactory = _ => "meshbench" };
        var duration = new Option<int>("--duration") { Description = "seconds per measurement", DefaultValueFactory = _ => 10 };
        var connections = new Option<int>("--connections") { Description = "wrk connections", DefaultValueFactory = _ => 50 };
        var rounds = new Option<int>("--rounds") { Description = "rounds; the paths take turns within each, and the report gives medians", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "wrk threads", DefaultValueFactory = _ => 2 };
        var output = new Option<string?>("--out") { Description = "write the Markdown table to this file too" };
        var cmd = new Command("bench", "wrk between two lab pods: no mesh, istio-iptables, mesh-accel without splicing, with splicing, and splicing every connection") { prefix, duration, connections, rounds, threads, output };
        cmd.SetAction(r =>
        {
            CommandLine.RequireRoot("bench");
            var loadBefore = MeshBench.LoadAverage();
            var cells = MeshBench.Run(r.GetValue(prefix)!, TimeSpan.FromSeconds(r.GetValue(duration)), r.GetValue(connections), r.GetValue(threads),
                                      r.GetValue(rounds), Console.WriteLine);
            var md = MeshBench.Markdown(cells, "mesh-accel bench " + string.Join(' ', Environment.GetCommandLineArgs().Skip(2)), loadBefore, MeshBench.LoadAverage());
            Console.WriteLine();
            Console.Write(md);
            if (r.GetValue(output) is { } file)
                File.WriteAllText(file, md);
            return 0;
        });
        return cmd;
    }
}
