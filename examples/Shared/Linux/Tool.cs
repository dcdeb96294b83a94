using System.ComponentModel;
using CliWrap;
using CliWrap.Buffered;

namespace Ebpf.Examples.Linux;

/// <summary>
/// Runs the system tools the examples drive (ip, ethtool, iperf3, sockperf, nginx, wrk, bpftool) through CliWrap:
/// arguments as a list, never through a shell; stdin empty, so a tool that reads it sees end of file instead of
/// waiting. Failures are <see cref="ToolException"/>s naming the command, its stderr and what to install.
/// </summary>
public static class Tool
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs <paramref name="file"/> to completion; throws with its stderr when it fails; returns its stdout.</summary>
    public static string Run(string file, params string[] args)
    {
        var r = TryRun(file, args);
        if (r.ExitCode != 0)
            throw new ToolException($"`{file} {string.Join(' ', args)}` failed (exit {r.ExitCode}): {r.Stderr.Trim()}{Hint(file)}");
        return r.Stdout;
    }

    /// <summary>Runs <paramref name="file"/> to completion and returns its exit code and output, whatever they are.</summary>
    public static Result TryRun(string file, params string[] args)
    {
        try
        {
            var r = CliWrap.Cli.Wrap(file).WithArguments(args).WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync().GetAwaiter().GetResult();
            return new Result(r.ExitCode, r.StandardOutput, r.StandardError);
        }
        catch (Exception e) when (IsStartFailure(e))
        {
            throw CannotStart(file, e);
        }
    }

    /// <summary>Runs a command inside network namespace <paramref name="netns"/> (ip netns exec).</summary>
    public static string InNetns(string netns, string file, params string[] args) =>
        Run("ip", ["netns", "exec", netns, file, .. args]);

    /// <summary>Starts <paramref name="file"/> in the background; the caller waits for it, or disposes it to kill it.</summary>
    public static RunningTool Start(string file, params string[] args) => new(file, args);

    // The executable is missing or not executable: CliWrap passes on the runtime's Win32Exception (or wraps it).
    internal static bool IsStartFailure(Exception e) => e is Win32Exception || e.InnerException is Win32Exception;

    internal static ToolException CannotStart(string file, Exception e) =>
        new($"cannot run {file}: {(e.InnerException ?? e).Message}{Hint(file)}");

    // What to install when a tool is missing or fails; scripts/install-deps.sh installs all of them.
    private static string Hint(string file) => file switch
    {
        "ip" => " (needs root and iproute2)",
        "iperf3" or "sockperf" or "wrk" or "ethtool" => $" (install {file}: scripts/install-deps.sh)",
        "taskset" => " (install util-linux: scripts/install-deps.sh)",
        "nginx" => " (install nginx and libnginx-mod-stream: scripts/install-deps.sh)",
        "bpftool" => " (install bpftool: scripts/install-deps.sh)",
        _ => "",
    };
}
