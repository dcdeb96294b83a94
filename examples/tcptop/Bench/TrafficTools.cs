using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ebpf.Examples.Tcptop.Bench;

/// <summary>iperf3 throughput and sockperf ping-pong latency, client and server in the bench's namespace.</summary>
internal static partial class TrafficTools
{
    /// <summary>Received bits per second of one iperf3 run writing <paramref name="size"/>-byte blocks, and the bench
    /// process's own CPU time while the client ran.</summary>
    public static (double BitsPerSecond, TimeSpan OwnCpu) Iperf3(BenchLab lab, int port, int size, bool noDelay, TimeSpan duration)
    {
        using var server = lab.Start(BenchLab.ServerCpu, "iperf3", "-s", "-1", "-B", "127.0.0.1", "-p", Num(port));
        lab.WaitForListener(port, server);
        // -O 1: the first second (slow start, buffer autotuning) is not counted.
        string[] args = ["-c", "127.0.0.1", "-p", Num(port), "-l", Num(size), "-O", "1", "-t", Num((int)Math.Max(1, duration.TotalSeconds)), "-J"];
        QuietWindow.Settle();
        using var client = lab.Start(BenchLab.ClientCpu, "iperf3", noDelay ? [.. args, "-N"] : args);
        var cpu = QuietWindow.OwnCpuAfter(TimeSpan.FromSeconds(1), client); // from the end of the omitted second on
        if (!client.WaitForExit(duration + TimeSpan.FromSeconds(30)))
            throw new ToolException($"iperf3 -l {size} did not finish");
        cpu = QuietWindow.OwnCpu() - cpu;
        server.WaitForExit(TimeSpan.FromSeconds(5));
        using var doc = JsonDocument.Parse(client.Stdout);
        if (doc.RootElement.TryGetProperty("error", out var error))
            throw new ToolException($"iperf3 -l {size} failed: {error.GetString()}");
        return (doc.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble(), cpu);
    }

    /// <summary>p50 and p99 of whole round trips (sockperf reports half) in microseconds, TCP, Nagle off, and the bench
    /// process's own CPU time while the client ran.</summary>
    public static (double P50, double P99, TimeSpan OwnCpu) Sockperf(BenchLab lab, int port, int size, TimeSpan duration)
    {
        string[] common = ["--tcp", "-i", "127.0.0.1", "-p", Num(port)];
        using var server = lab.Start(BenchLab.ServerCpu, "sockperf", ["server", .. common]);
        lab.WaitForListener(port, server);
        QuietWindow.Settle();
        using var client = lab.Start(BenchLab.ClientCpu, "sockperf", ["ping-pong", .. common, "-m", Num(size), "-t", Num((int)Math.Max(1, duration.TotalSeconds))]);
        var cpu = QuietWindow.OwnCpuAfter(TimeSpan.FromMilliseconds(400), client); // from the end of sockperf's warm-up on
        if (!client.WaitForExit(duration + TimeSpan.FromSeconds(30)))
            throw new ToolException($"sockperf -m {size} did not finish");
        cpu = QuietWindow.OwnCpu() - cpu;
        server.Kill();
        var output = client.Stdout + client.Stderr;
        var p50 = Percentile("50.000").Match(output);
        var p99 = Percentile("99.000").Match(output);
        if (!p50.Success || !p99.Success)
            throw new ToolException($"sockperf -m {size}: no percentiles in its output:\n{output.Trim()}");
        return (2 * double.Parse(p50.Groups["usec"].Value, CultureInfo.InvariantCulture), 2 * double.Parse(p99.Groups["usec"].Value, CultureInfo.InvariantCulture), cpu);
    }

    private static Regex Percentile(string p) => new($@"percentile {Regex.Escape(p)} =\s*(?<usec>[0-9.]+)");

    private static string Num(int v) => v.ToString(CultureInfo.InvariantCulture);
}
