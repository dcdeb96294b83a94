using System.Diagnostics;

namespace Ebpf.Examples.Sockredir.Linux;

/// <summary>Runs the system tools the example drives (ip, bpftool, iperf3) and turns failures into readable errors.</summary>
internal static class Shell
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

    /// <summary>Starts <paramref name="file"/> with its output redirected; the caller waits for it and disposes it.</summary>
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

    private static string Hint(string file) => file switch
    {
        "ip" => " (needs root and iproute2)",
        "iperf3" => " (install iperf3: scripts/install-deps.sh)",
        "bpftool" => " (install bpftool; `run` uses it only to warn about other sock_ops programs on the cgroup)",
        _ => "",
    };
}

/// <summary>A system tool failed; the message says which command, why, and what to install or fix.</summary>
internal sealed class ToolException(string message) : Exception(message);
