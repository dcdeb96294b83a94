using System.Diagnostics;

namespace Ebpf.Examples.XdpProxy.Linux;

/// <summary>Runs the system tools the example drives (ip, ethtool, nginx, wrk) and turns failures into readable errors.</summary>
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

    /// <summary>Runs <paramref name="file"/> and returns its exit code and output, whatever they are.</summary>
    public static Result TryRun(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new ToolException($"cannot start {file}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ToolException($"cannot run {file}: {e.Message}{Hint(file)}");
        }
        // Process.Dispose leaves synchronously read streams open: dispose them, or every call leaks two pipes.
        using (p)
        using (var outReader = p.StandardOutput)
        using (var errReader = p.StandardError)
        {
            var stderr = errReader.ReadToEndAsync();
            var stdout = outReader.ReadToEnd();
            p.WaitForExit();
            return new Result(p.ExitCode, stdout, stderr.Result);
        }
    }

    /// <summary>Runs a command inside network namespace <paramref name="netns"/> (ip netns exec).</summary>
    public static string InNetns(string netns, string file, params string[] args) =>
        Run("ip", ["netns", "exec", netns, file, .. args]);

    private static string Hint(string file) => file switch
    {
        "ip" => " (needs root and iproute2)",
        "nginx" => " (install nginx and libnginx-mod-stream)",
        "wrk" => " (install wrk)",
        "ethtool" => " (install ethtool)",
        "bpftool" => " (install bpftool)",
        _ => "",
    };
}

/// <summary>A system tool failed; the message says which command, why, and what to install or fix.</summary>
internal sealed class ToolException(string message) : Exception(message);
