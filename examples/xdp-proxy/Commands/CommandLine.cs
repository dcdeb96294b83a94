using Ebpf.Examples.XdpProxy.Linux;

namespace Ebpf.Examples.XdpProxy.Commands;

/// <summary>Dispatches `xdp-proxy COMMAND ...` and turns known failures into one-line errors.</summary>
internal static class CommandLine
{
    public const string Usage = """
        usage: xdp-proxy <command>
          lab up   [--prefix P]                  create the lab (client, lb, be1, be2 namespaces on a bridge)
          lab down [--prefix P]                  remove every namespace, link, process and file of the lab
          run --iface IF [--netns NS] --vip IP --port N --backend IP[:PORT] ...
              [--mode native|generic] [--snat IP] [--nat-ports MIN-MAX]
                                                 attach the balancer; per-backend counters every second
          backend add|remove IP[:PORT] [--iface IF] [--netns NS]
                                                 change the backends of a running balancer
          stats [--iface IF] [--netns NS] [--json] counters of a running balancer
          bench [--prefix P] [--duration S] [--connections N] [--out DIR]
                                                 wrk through XDP native/generic, nginx stream, and direct
        """;

    public static int Run(string[] args)
    {
        try
        {
            var a = new Args(args);
            return a.Command switch
            {
                "lab" => LabCommand.Run(a),
                "run" => RunCommand.Run(a),
                "backend" => BackendCommand.Run(a),
                "stats" => StatsCommand.Run(a),
                "bench" => BenchCommand.Run(a),
                "help" or "--help" or "-h" or null => Help(),
                var other => Fail($"unknown command '{other}'\n{Usage}"),
            };
        }
        catch (Exception e) when (e is ToolException or ArgumentException or FormatException or UsageException or BpfException)
        {
            return Fail(e.Message);
        }
    }

    private static int Help()
    {
        Console.WriteLine(Usage);
        return 0;
    }

    public static int Fail(string message)
    {
        Console.Error.WriteLine($"xdp-proxy: {message}");
        return 1;
    }
}

internal sealed class UsageException(string message) : Exception(message + "\n" + CommandLine.Usage);

/// <summary>Minimal option parsing: positional words, `--name value` options (repeatable), and flags.</summary>
internal sealed class Args
{
    private readonly List<string> positional = [];
    private readonly Dictionary<string, List<string>> options = [];
    private static readonly HashSet<string> Flags = ["--json"];

    public Args(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (a.StartsWith("--", StringComparison.Ordinal) && !Flags.Contains(a))
            {
                if (i + 1 >= args.Length)
                    throw new UsageException($"option {a} needs a value");
                if (!options.TryGetValue(a, out var list))
                    options[a] = list = [];
                list.Add(args[++i]);
            }
            else if (Flags.Contains(a))
                options[a] = ["true"];
            else
                positional.Add(a);
        }
    }

    public string? Command => positional.Count > 0 ? positional[0] : null;
    public string? Positional(int i) => positional.Count > i ? positional[i] : null;
    public string? Option(string name) => options.TryGetValue(name, out var v) ? v[^1] : null;
    public IReadOnlyList<string> All(string name) => options.TryGetValue(name, out var v) ? v : [];
    public bool Flag(string name) => options.ContainsKey(name);
    public string Required(string name) => Option(name) ?? throw new UsageException($"missing {name}");
    public int Int(string name, int fallback) =>
        Option(name) is { } s ? (int.TryParse(s, out var v) ? v : throw new UsageException($"{name} wants a number, not '{s}'")) : fallback;
}
