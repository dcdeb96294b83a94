using System.Collections.Concurrent;
using System.Diagnostics;
using Ebpf.Examples.Linux;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests;

/// <summary>
/// One of the example apps (`dotnet &lt;app&gt;.dll ARGS`, the dll the test project copies next to itself) running in
/// the background, as a user starts it: its stdout and stderr collected line by line, signals sent by pid. Dispose
/// kills it if it still runs, so a failing test leaves no process (and, through BPF links, nothing attached).
/// </summary>
internal sealed class AppRun : IDisposable
{
    private readonly ConcurrentQueue<string> output = new();
    private readonly Process process;

    public AppRun(string dll, params string[] args)
        : this(HostCommand.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, dll), .. args]))
    {
    }

    /// <summary>Any program the same way, e.g. `podman run` of an agent's image in the foreground.</summary>
    public static AppRun Program(string file, IEnumerable<string> args) => new(HostCommand.Start(file, args));

    private AppRun(Process started)
    {
        process = started;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The app's pid (`dotnet app.dll` runs the app in the dotnet process itself).</summary>
    public int Id => process.Id;

    public bool HasExited => process.HasExited;
    public int ExitCode => process.ExitCode;

    /// <summary>Everything printed so far, for assertion messages.</summary>
    public string Transcript => string.Join('\n', output);

    /// <summary>The first line printed so far that contains <paramref name="text"/>, or null.</summary>
    public string? LineWith(string text) => output.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>Waits until a line contains <paramref name="text"/> (null if the app exits or the time runs out first).</summary>
    public string? WaitForLine(string text, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (LineWith(text) is null && !process.HasExited && DateTime.UtcNow < until)
            Thread.Sleep(100);
        return LineWith(text);
    }

    /// <summary>Waits until at least <paramref name="count"/> lines contain <paramref name="text"/>; false if the app exits or the time runs out first.</summary>
    public bool WaitForLines(string text, int count, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (output.Count(l => l.Contains(text, StringComparison.Ordinal)) < count)
        {
            if (process.HasExited || DateTime.UtcNow > until)
                return false;
            Thread.Sleep(100);
        }
        return true;
    }

    public void Signal(int signal) => Posix.Signal(process.Id, signal);

    /// <summary>Waits for the exit and for the last output lines to be collected.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
            return false;
        process.WaitForExit(); // the parameterless wait also drains the asynchronous output readers
        return true;
    }

    public void Dispose() => HostCommand.Stop(process);
}
