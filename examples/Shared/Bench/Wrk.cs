using System.Globalization;
using System.Text.RegularExpressions;
using Ebpf.Examples.Linux;

namespace Ebpf.Examples.Bench;

/// <summary>What one wrk run measured.</summary>
public sealed record WrkResult(double RequestsPerSecond, long Requests, double P50Ms, double P99Ms, long Errors);

/// <summary>Runs wrk (keep-alive HTTP/1.1, `--latency`) inside a namespace and parses its report.</summary>
public static partial class Wrk
{
    public static WrkResult Run(string netns, string url, int connections, int threads, TimeSpan duration) =>
        Run(null, netns, url, connections, threads, duration);

    /// <summary>
    /// wrk in <paramref name="netns"/> and, when given, inside <paramref name="cgroup"/> (as a pod's process); <paramref name="extra"/>
    /// goes before the URL (e.g. "-H", "Connection: close" for a new connection per request).
    /// </summary>
    public static WrkResult Run(string? cgroup, string netns, string url, int connections, int threads, TimeSpan duration, params string[] extra)
    {
        using var p = NetNs.StartIn(cgroup, netns, "wrk", [$"-t{threads}", $"-c{connections}", $"-d{(int)duration.TotalSeconds}s", "--latency", .. extra, url]);
        p.WaitForExit(Timeout.InfiniteTimeSpan);
        if (p.ExitCode != 0)
            throw new ToolException($"wrk failed (exit {p.ExitCode}): {p.Stderr.Trim()} (install wrk: scripts/install-deps.sh)");
        return Parse(p.Stdout);
    }

    public static WrkResult Parse(string output)
    {
        double Number(Regex r, string what) =>
            r.Match(output) is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
                : throw new ToolException($"cannot find {what} in wrk's output:\n{output}");
        var errors = 0L;
        if (SocketErrors().Match(output) is { Success: true } se)
            errors += Enumerable.Range(1, 4).Sum(i => long.Parse(se.Groups[i].Value, CultureInfo.InvariantCulture));
        if (Non2xx().Match(output) is { Success: true } nx)
            errors += long.Parse(nx.Groups[1].Value, CultureInfo.InvariantCulture);
        return new WrkResult(
            Number(Rps(), "Requests/sec"),
            (long)Number(Total(), "the request count"),
            Latency(output, "50%"),
            Latency(output, "99%"),
            errors);
    }

    /// <summary>A latency percentile line such as "99%    7.91ms", in milliseconds.</summary>
    private static double Latency(string output, string percentile)
    {
        var m = Regex.Match(output, $@"^\s*{Regex.Escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        if (!m.Success)
            throw new ToolException($"cannot find the {percentile} latency in wrk's output (was --latency given?):\n{output}");
        var v = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch { "us" => v / 1000, "ms" => v, _ => v * 1000 };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex Rps();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Total();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xx();
}
