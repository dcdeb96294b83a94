using System.Diagnostics;

namespace Ebpf.Testing;

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
/// The one process runner of the tests: host tools (ip, bpftool, mount, clang, dotnet) run to completion, and
/// long-running children (servers, the apps under test) started with their streams redirected. Arguments are
/// passed as a list, never through a shell, so names with odd characters cannot break a command.
/// </summary>
public static class HostCommand
{
    /// <summary>
    /// Starts <paramref name="file"/> with stdin, stdout and stderr redirected, in <paramref name="workingDirectory"/>
    /// when given; <paramref name="environment"/> adds variables (a null value removes one). The caller owns the process.
    /// </summary>
    public static Process Start(string file, IEnumerable<string> args, string? workingDirectory = null,
                                IEnumerable<KeyValuePair<string, string?>>? environment = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? [])
        {
            if (value is null)
                psi.Environment.Remove(key);
            else
                psi.Environment[key] = value;
        }
        return Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
    }

    /// <summary>
    /// Waits for a started process (at most <paramref name="timeout"/>, default 60 s; then it and its children are
    /// killed and the result says so) and collects its output. Disposes the process.
    /// </summary>
    public static CommandResult Finish(Process process, string commandLine, TimeSpan? timeout = null)
    {
        using var p = process;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit();
            return new CommandResult(commandLine, -1, stdout.Result, "timed out; " + stderr.Result);
        }
        p.WaitForExit();
        return new CommandResult(commandLine, p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// Ends a started process the test no longer needs: kills it and its children if it still runs, waits (at most
    /// 10 s) and disposes it. For a Dispose method, so a failing test leaves no process behind.
    /// </summary>
    public static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // never started, or already reaped
        }
        process.Dispose();
    }

    /// <summary>Runs <paramref name="file"/> to completion (at most <paramref name="timeout"/>, default 60 s), in
    /// <paramref name="workingDirectory"/> when given.</summary>
    public static CommandResult Run(string file, IEnumerable<string> args, TimeSpan? timeout = null, string? workingDirectory = null,
                                    IEnumerable<KeyValuePair<string, string?>>? environment = null)
    {
        var argList = args.ToList();
        return Finish(Start(file, argList, workingDirectory, environment), file + " " + string.Join(' ', argList), timeout);
    }

    public static CommandResult Run(string file, params string[] args) => Run(file, (IEnumerable<string>)args);

    /// <summary>Runs and throws unless it succeeded; returns stdout.</summary>
    public static string Check(string file, params string[] args) => Run(file, args).EnsureSuccess();
}
