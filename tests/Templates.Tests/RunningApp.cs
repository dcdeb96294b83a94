using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Ebpf.Templates.Tests;

/// <summary>
/// A template's app started by a test: its output lines as they come, a wait for a line, SIGTERM (what Ctrl+C or
/// systemd send: the app prints its totals and exits), and on dispose a kill if it is still running.
/// </summary>
public sealed partial class RunningApp : IDisposable
{
    private readonly Process process;
    private readonly List<string> lines = new();
    private readonly string commandLine;

    private RunningApp(Process process, string commandLine)
    {
        this.process = process;
        this.commandLine = commandLine;
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Starts <paramref name="file"/> with <paramref name="args"/> (no shell, input closed).</summary>
    public static RunningApp Start(string file, params string[] args)
    {
        var process = HostCommand.Start(file, args, environment: [new("DOTNET_CLI_TELEMETRY_OPTOUT", "1"), new("DOTNET_NOLOGO", "1")]);
        process.StandardInput.Close();
        return new RunningApp(process, file + " " + string.Join(' ', args));
    }

    public int Pid => process.Id;

    /// <summary>Everything it printed so far (stdout and stderr interleaved as they arrived).</summary>
    public string Output
    {
        get
        {
            lock (lines)
                return string.Join('\n', lines);
        }
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (lines)
                return lines.ToList();
        }
    }

    /// <summary>Waits until a line satisfies <paramref name="predicate"/>; fails with the output when the app exits or the time is up.</summary>
    public string WaitForLine(Func<string, bool> predicate, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var found = Lines.FirstOrDefault(predicate);
            if (found is not null)
                return found;
            if (process.HasExited)
            {
                process.WaitForExit();   // drains the output
                found = Lines.FirstOrDefault(predicate);
                if (found is not null)
                    return found;
                throw new InvalidOperationException($"`{commandLine}` exited ({process.ExitCode}) before {what}:\n{Output}");
            }
            Thread.Sleep(100);
        }
        throw new TimeoutException($"`{commandLine}` did not show {what} within {timeout.TotalSeconds} s:\n{Output}");
    }

    /// <summary>Sends SIGTERM and waits for the exit; returns the exit code. The output is complete afterwards.</summary>
    public int Terminate(TimeSpan timeout)
    {
        if (!process.HasExited && kill(process.Id, SIGTERM) != 0 && !process.HasExited)
            throw new InvalidOperationException($"kill({process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        if (!process.WaitForExit(timeout))
            throw new TimeoutException($"`{commandLine}` did not exit within {timeout.TotalSeconds} s of SIGTERM:\n{Output}");
        process.WaitForExit();
        return process.ExitCode;
    }

    public void Dispose() => HostCommand.Stop(process);

    private void Add(string? line)
    {
        if (line is null)
            return;
        lock (lines)
            lines.Add(line);
    }

    private const int SIGTERM = 15;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
