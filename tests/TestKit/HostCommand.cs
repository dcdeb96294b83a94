using System.Diagnostics;

namespace Ebpf.TestKit;

/// <summary>The outcome of a finished host command.</summary>
public sealed record CommandResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Throws with the command line and its stderr unless it exited with 0; returns stdout.</summary>
    public string EnsureSuccess() =>
        Succeeded ? StandardOutput
                  : throw new InvalidOperationException($"`{CommandLine}` failed ({ExitCode}): {StandardError.Trim()} {StandardOutput.Trim()}");
}

/// <summary>
/// Runs host tools (ip, bpftool, mount, cc) for the fixtures. Arguments are passed as a list, never
/// through a shell, so names with odd characters cannot break a command.
/// </summary>
public static class HostCommand
{
    /// <summary>Runs <paramref name="file"/> to completion (at most <paramref name="timeout"/>, default 60 s), in
    /// <paramref name="workingDirectory"/> when given.</summary>
    public static CommandResult Run(string file, IEnumerable<string> args, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var argList = args.ToList();
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var a in argList)
            psi.ArgumentList.Add(a);
        var line = file + " " + string.Join(' ', argList);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit();
            return new CommandResult(line, -1, stdout.Result, "timed out; " + stderr.Result);
        }
        p.WaitForExit();
        return new CommandResult(line, p.ExitCode, stdout.Result, stderr.Result);
    }

    public static CommandResult Run(string file, params string[] args) => Run(file, (IEnumerable<string>)args);

    /// <summary>Runs and throws unless it succeeded; returns stdout.</summary>
    public static string Check(string file, params string[] args) => Run(file, args).EnsureSuccess();
}
