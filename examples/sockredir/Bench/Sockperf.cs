using System.Globalization;
using Ebpf.Examples.Sockredir.Linux;
using System.Text.RegularExpressions;

namespace Ebpf.Examples.Sockredir.Bench;

/// <summary>Request/response latency with sockperf ping-pong over TCP, both ends in the lab.</summary>
internal static partial class Sockperf
{
    // sockperf's own limits for -m (its message header is 14 bytes; the maximum is the UDP payload limit).
    private const int MinSize = 14, MaxSize = 65507;

    public static bool Supports(int size) => size is >= MinSize and <= MaxSize;

    /// <summary>
    /// One ping-pong run. sockperf reports half the round trip; this returns whole round trips, the unit of the
    /// app's own ping-pong, so one column can hold both. Nagle is off unless <paramref name="noDelay"/> is false
    /// (sockperf's --tcp-avoid-nodelay).
    /// </summary>
    public static LatencyFigures Measure(BenchLab lab, bool redirected, Placement placement, int port, int size, TimeSpan duration, bool noDelay)
    {
        var nagle = noDelay ? Array.Empty<string>() : ["--tcp-avoid-nodelay"];
        string[] common = ["--tcp", "-i", "127.0.0.1", "-p", Num(port), .. nagle];
        using var server = lab.Start(redirected, placement.ServerCpu, "sockperf", ["server", .. common]);
        lab.WaitForListener(port, server);
        // -t takes whole seconds; sockperf adds its own warm-up (dropped from the figures) before the timed part.
        var seconds = Math.Max(1, (int)Math.Round(duration.TotalSeconds));
        using var client = lab.Start(redirected, placement.ClientCpu, "sockperf", ["ping-pong", .. common, "-m", Num(size), "-t", Num(seconds)]);
        if (!client.WaitForExit(TimeSpan.FromSeconds(seconds + 30)))
            throw new ToolException($"sockperf ping-pong -m {size} did not finish");
        var output = client.Stdout + client.Stderr;
        server.Kill(); // else one idle server per run stays until the whole bench ends
        if (client.ExitCode != 0)
            throw new ToolException($"sockperf ping-pong -m {size} failed: {output.Trim()}");
        return Parse(output, size);
    }

    /// <summary>Reads the valid-duration run time, received messages and the 50th and 99th percentiles (usec, half round trip).</summary>
    public static LatencyFigures Parse(string output, int size)
    {
        var valid = ValidDuration().Match(output);
        var p50 = Percentile("50.000").Match(output);
        var p99 = Percentile("99.000").Match(output);
        if (!valid.Success || !p50.Success || !p99.Success)
            throw new ToolException($"sockperf ping-pong -m {size}: no statistics in its output:\n{output.Trim()}");
        var runTime = double.Parse(valid.Groups["time"].Value, CultureInfo.InvariantCulture);
        var received = double.Parse(valid.Groups["received"].Value, CultureInfo.InvariantCulture);
        return new LatencyFigures("sockperf",
            2 * double.Parse(p50.Groups["usec"].Value, CultureInfo.InvariantCulture),
            2 * double.Parse(p99.Groups["usec"].Value, CultureInfo.InvariantCulture),
            runTime > 0 ? received / runTime : 0);
    }

    [GeneratedRegex(@"\[Valid Duration\] RunTime=(?<time>[0-9.]+) sec; SentMessages=\d+; ReceivedMessages=(?<received>\d+)")]
    private static partial Regex ValidDuration();

    private static Regex Percentile(string p) => new($@"percentile {Regex.Escape(p)} =\s*(?<usec>[0-9.]+)");

    private static string Num(int v) => v.ToString(CultureInfo.InvariantCulture);
}
