using System.Text;
using CliWrap;

namespace Ebpf.Examples.Linux;

/// <summary>
/// A tool running in the background (a benchmark's server or client), started through CliWrap with its output
/// collected. <see cref="Kill"/> and Dispose end it and the processes it started (CliWrap kills the process tree).
/// </summary>
public sealed class RunningTool : IDisposable
{
    private readonly CancellationTokenSource kill = new();
    private readonly StringBuilder stdout = new();
    private readonly StringBuilder stderr = new();
    private readonly CommandTask<CommandResult> run;
    private bool disposed;

    internal RunningTool(string file, IReadOnlyList<string> args)
    {
        try
        {
            run = CliWrap.Cli.Wrap(file).WithArguments(args).WithValidation(CommandResultValidation.None)
                .WithStandardOutputPipe(PipeTarget.ToStringBuilder(stdout))
                .WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr))
                .ExecuteAsync(kill.Token);
        }
        catch (Exception e) when (Tool.IsStartFailure(e))
        {
            kill.Dispose();
            throw Tool.CannotStart(file, e);
        }
    }

    public int Id => run.ProcessId;

    public bool HasExited => run.Task.IsCompleted;

    /// <summary>The exit code; -1 when it was killed. Valid once it has exited.</summary>
    public int ExitCode => run.Task.IsCompletedSuccessfully ? run.Task.Result.ExitCode : -1;

    /// <summary>What it printed; complete once it has exited (read it only then).</summary>
    public string Stdout => HasExited ? stdout.ToString() : throw new InvalidOperationException("still running");

    /// <summary>What it printed on stderr; complete once it has exited (read it only then).</summary>
    public string Stderr => HasExited ? stderr.ToString() : throw new InvalidOperationException("still running");

    /// <summary>Waits until it has exited and its output is collected; false when <paramref name="timeout"/> passed first.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        try
        {
            return run.Task.Wait(timeout);
        }
        catch (AggregateException)
        {
            return true; // killed: the task ends cancelled
        }
    }

    /// <summary>Kills it and the processes it started, and waits (up to 5 s) until they are gone.</summary>
    public void Kill()
    {
        if (HasExited)
            return;
        kill.Cancel();
        WaitForExit(TimeSpan.FromSeconds(5));
    }

    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        Kill();
        kill.Dispose();
    }
}
