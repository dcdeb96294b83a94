using System.Globalization;
using Ebpf.Examples.Sockredir.Linux;

namespace Ebpf.Examples.Sockredir.Commands;

/// <summary>Dispatches `sockredir COMMAND ...` and turns known failures into one-line errors.</summary>
internal static class CommandLine
{
    public const string Usage = """
        usage: sockredir <command>
          run [--cgroup PATH | --parent DIR] [--seconds N] [--demote-after N] [--demote-below BYTES] [--redirect-max BYTES]
                                                redirect same-host TCP between the processes of a cgroup; counters every
                                                second until Ctrl+C, SIGTERM or N seconds. Default: creates the cgroup
                                                sockredir-<pid> under the cgroup v2 root (or under DIR) and prints the
                                                command that puts a shell in it; on exit it detaches and removes that
                                                cgroup, moving processes still in it back to the parent (not killed).
                                                On start it removes empty sockredir-<pid> cgroups of runs that are gone
                                                (a run killed with SIGKILL leaves one). --cgroup PATH: an existing
                                                cgroup, used as it is and never removed
                                                --demote-after N: a socket whose last N messages (default 64) were
                                                smaller than BYTES (default 2048) and found the reader behind goes
                                                back to TCP, where small writes move faster; 0: never
                                                --redirect-max BYTES: a message larger than BYTES goes to TCP, and so
                                                does every later message of its socket (experiments; default: none)
          bench [--quick] [--sizes N,N,...] [--seconds S] [--rounds N] [--no-pin] [--out DIR]
                [--demote-after N] [--demote-below BYTES] [--redirect-max BYTES]
                                                plain loopback TCP against redirected TCP, in a namespace and cgroups
                                                of its own: iperf3 throughput and request/response latency p50/p99
                                                and transactions/s (sockperf; ping-pong below 14 B and above 65,507 B),
                                                Nagle on and off; client and server pinned to two CPUs unless
                                                --no-pin; --rounds N: medians of N interleaved rounds; a table,
                                                JSON and Markdown
          pingpong serve --port N --size N [--nodelay]
          pingpong run --port N --size N [--milliseconds N] [--nodelay]
                                                the request/response client and server bench starts (127.0.0.1)
        """;

    public static int Run(string[] args)
    {
        try
        {
            var a = new Args(args);
            return a.Command switch
            {
                "run" => RunCommand.Run(a),
                "bench" => BenchCommand.Run(a),
                "pingpong" => PingPongCommand.Run(a),
                "help" or "--help" or "-h" or null => Help(),
                var other => Fail($"unknown command '{other}'\n{Usage}"),
            };
        }
        catch (Exception e) when (e is ToolException or UsageException or IOException or UnauthorizedAccessException)
        {
            return Fail(e is UnauthorizedAccessException ? $"{e.Message} (run as root: the program loads BPF programs and manages cgroups)" : e.Message);
        }
        catch (Exception e)
        {
            // Caught so that the commands' finally blocks run (`run` removes its cgroup there): the runtime does not
            // promise to run them for an exception that nothing catches.
            return Fail($"unexpected error: {e}");
        }
    }

    private static int Help()
    {
        Console.WriteLine(Usage);
        return 0;
    }

    public static int Fail(string message)
    {
        Console.Error.WriteLine($"sockredir: {message}");
        return 1;
    }
}

internal sealed class UsageException(string message) : Exception(message + "\n" + CommandLine.Usage);

/// <summary>Minimal option parsing: positional words, `--name value` options, and flags.</summary>
internal sealed class Args
{
    private static readonly HashSet<string> Flags = ["--quick", "--nodelay", "--no-pin"];
    private readonly List<string> positional = [];
    private readonly Dictionary<string, string> options = [];

    public Args(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (Flags.Contains(a))
                options[a] = "true";
            else if (a.StartsWith("--", StringComparison.Ordinal))
                options[a] = i + 1 < args.Length ? args[++i] : throw new UsageException($"option {a} needs a value");
            else
                positional.Add(a);
        }
    }

    public string? Command => positional.Count > 0 ? positional[0] : null;
    public string? Positional(int i) => positional.Count > i ? positional[i] : null;
    public string? Option(string name) => options.GetValueOrDefault(name);
    public bool Flag(string name) => options.ContainsKey(name);

    public int Int(string name, int fallback) =>
        Option(name) is { } s
            ? int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0 ? v : throw new UsageException($"{name} wants a non-negative number, not '{s}'")
            : fallback;

    public double Double(string name, double fallback) =>
        Option(name) is { } s
            ? double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : throw new UsageException($"{name} wants a positive number, not '{s}'")
            : fallback;
}
