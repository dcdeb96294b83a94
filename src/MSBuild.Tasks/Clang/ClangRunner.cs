using CliWrap;
using CliWrap.Buffered;

namespace Ebpf.Build.Clang;

/// <summary>Runs clang once (CliWrap), optionally with C text on stdin; the caller decides what the output means.</summary>
internal static class ClangRunner
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    /// <summary>The result, or null when clang could not be started (<paramref name="startError"/> says why) or the build was cancelled.</summary>
    public static Result? Run(string clang, IReadOnlyList<string> args, string workingDirectory, string? stdin,
                              CancellationToken cancellationToken, out string? startError)
    {
        startError = null;
        var command = Cli.Wrap(clang)
            .WithArguments(args)
            .WithWorkingDirectory(workingDirectory)
            .WithValidation(CommandResultValidation.None);
        if (stdin is not null)
            command = command.WithStandardInputPipe(PipeSource.FromString(stdin));
        try
        {
            var r = command.ExecuteBufferedAsync(cancellationToken).GetAwaiter().GetResult();
            return new Result(r.ExitCode, r.StandardOutput, r.StandardError);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
        {
            startError = e.Message;
            return null;
        }
    }
}
