using System.Diagnostics;

namespace Ebpf.Examples.Linux;

/// <summary>Runs the system tools the examples drive (ip, ethtool, iperf3, sockperf, nginx, wrk, bpftool) and turns failures into readable errors.</summary>
public static class Shell
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs <paramref name="file"/>; throws <see cref="ToolException"/> with its stderr when it fails.</summary>
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
        // Process.Dispose leaves synchronously read streams open: dispose them, or every call leaks two pipes.
        using var p = Start(file, args);
        using var outReader = p.StandardOutput;
        using var errReader = p.StandardError;
        var stderr = errReader.ReadToEndAsync();
        var stdout = outReader.ReadToEnd();
        p.WaitForExit();
        return new Result(p.ExitCode, stdout, stderr.Result);
    }

    /// <summary>Runs a command inside network namespace <paramref name="netns"/> (ip netns exec).</summary>
    public static string InNetns(string netns, string file, params string[] args) =>
        Run("ip", ["netns", "exec", netns, file, .. args]);

    /// <summary>
    /// Starts <paramref name="file"/> with its output redirected and its input closed (a tool that reads stdin sees
    /// end of file instead of waiting); the caller waits for it and disposes it.
    /// </summary>
    public static Process Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        try
        {
            var p = Process.Start(psi) ?? throw new ToolException($"cannot start {file}");
            p.StandardInput.Close();
            return p;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ToolException($"cannot run {file}: {e.Message}{Hint(file)}");
        }
    }

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
