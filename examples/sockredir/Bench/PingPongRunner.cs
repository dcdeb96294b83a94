using System.Globalization;
using Ebpf.Examples.Sockredir.Linux;
using Ebpf.Examples.Sockredir.Traffic;

namespace Ebpf.Examples.Sockredir.Bench;

/// <summary>
/// Runs this app's own `pingpong serve` and `pingpong run` as two processes in the lab (see <see cref="PingPong"/>): the
/// request/response measurement for the sizes sockperf cannot send (below 14 bytes, above 65,507).
/// </summary>
internal static class PingPongRunner
{
    public static LatencyFigures Measure(BenchLab lab, bool redirected, Placement placement, int port, int size, TimeSpan duration, bool noDelay)
    {
        var (file, prefix) = Self();
        var nd = noDelay ? new[] { "--nodelay" } : [];
        using var server = lab.Start(redirected, placement.ServerCpu, file, [.. prefix, "pingpong", "serve", "--port", Num(port), "--size", Num(size), .. nd]);
        lab.WaitForListener(port, server);
        using var client = lab.Start(redirected, placement.ClientCpu, file, [.. prefix, "pingpong", "run", "--port", Num(port), "--size", Num(size),
            "--milliseconds", Num((int)duration.TotalMilliseconds), .. nd]);
        if (!client.WaitForExit(duration + TimeSpan.FromSeconds(60)))
            throw new ToolException($"pingpong -size {size} did not finish");
        server.WaitForExit(TimeSpan.FromSeconds(5));
        if (client.ExitCode != 0)
            throw new ToolException($"pingpong --size {size} failed: {client.Stderr.Trim()}");
        var r = PingPongResult.FromJson(client.Stdout.Trim());
        return new LatencyFigures("pingpong", r.P50Micros, r.P99Micros, r.TransactionsPerSecond);
    }

    /// <summary>How to start this app again: the apphost or the NativeAOT binary, or `dotnet sockredir.dll` when run that
    /// way (then the first command-line argument is the .dll's path; Assembly.Location would be empty in a single file).</summary>
    private static (string File, string[] Prefix) Self()
    {
        var process = Environment.ProcessPath ?? throw new ToolException("cannot find this program's path");
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? (process, [Environment.GetCommandLineArgs()[0]])
            : (process, []);
    }

    private static string Num(int v) => v.ToString(CultureInfo.InvariantCulture);
}
