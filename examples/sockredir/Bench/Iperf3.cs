using System.Globalization;
using System.Text.Json;
using Ebpf.Examples.Sockredir.Linux;

namespace Ebpf.Examples.Sockredir.Bench;

/// <summary>Bulk throughput with iperf3: one client writing <c>-l size</c> blocks to a one-off server, both in the lab.</summary>
internal static class Iperf3
{
    /// <summary>Received bits per second of one run.</summary>
    public static double Measure(BenchLab lab, bool redirected, Placement placement, int port, int size, TimeSpan duration, bool noDelay)
    {
        // -B 127.0.0.1: without it iperf3 listens on :: and its accepted sockets are IPv6 with v4-mapped
        // addresses (the program handles both; binding keeps plain and redirected runs identical).
        using var server = lab.Start(redirected, placement.ServerCpu, "iperf3", "-s", "-1", "-B", "127.0.0.1", "-p", Num(port));
        lab.WaitForListener(port, server);
        // -O 1: the first second is not counted (slow start, buffer autotuning, and the redirector's demotion of a
        // small-write stream all happen in it); -t seconds are measured after it.
        string[] args = ["-c", "127.0.0.1", "-p", Num(port), "-l", Num(size), "-O", "1",
                         "-t", duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture), "-J"];
        using var client = lab.Start(redirected, placement.ClientCpu, "iperf3", noDelay ? [.. args, "-N"] : args);
        if (!client.WaitForExit(duration + TimeSpan.FromSeconds(30)))
            throw new ToolException($"iperf3 -l {size} did not finish");
        server.WaitForExit(TimeSpan.FromSeconds(5));
        using var doc = JsonDocument.Parse(client.Stdout);
        if (doc.RootElement.TryGetProperty("error", out var error))
            throw new ToolException($"iperf3 -l {size} failed: {error.GetString()} {client.Stderr.Trim()}");
        return doc.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble();
    }

    private static string Num(int v) => v.ToString(CultureInfo.InvariantCulture);
}
