using CliWrap;
using CliWrap.Buffered;
using Ebpf.Build.Clang;
using Microsoft.Build.Framework;

namespace Ebpf.Build;

/// <summary>
/// Compiles prepared <c>BpfSource</c> items with clang (only the ones MSBuild found out of date), turns
/// clang's diagnostics into MSBuild errors and warnings at their file and line, and writes the base64
/// text copy of each object that the generator reads (docs/build-contract.md).
/// </summary>
public sealed class CompileBpfSource : ClangTaskBase, ICancelableTask
{
    private readonly CancellationTokenSource cancel = new();

    [Required]
    public ITaskItem[] Sources { get; set; } = [];

    [Required]
    public string ClangPath { get; set; } = "";

    public void Cancel() => cancel.Cancel();

    public override bool Execute()
    {
        if (!TryGetSettings(out var settings))
            return false;
        foreach (var item in Sources)
        {
            if (cancel.IsCancellationRequested)
                break;
            Compile(settings, BpfSourceInfo.FromPreparedItem(item));
        }
        return !Log.HasLoggedErrors;
    }

    private void Compile(ClangSettings settings, BpfSourceInfo source)
    {
        var args = ClangCommandLine.Build(settings, source);
        Log.LogMessage(MessageImportance.High, $"Ebpf.Build: compiling {Path.GetFileName(source.SourceFile)}");
        Log.LogMessage(MessageImportance.Low, ClangCommandLine.Format(ClangPath, args));
        Directory.CreateDirectory(Path.GetDirectoryName(source.ObjectFile)!);

        BufferedCommandResult result;
        try
        {
            result = Cli.Wrap(ClangPath)
                .WithArguments(args)
                .WithWorkingDirectory(settings.ProjectDirectory)
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(cancel.Token)
                .GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
        {
            Log.LogError(null, BuildErrors.ClangFailed, null, source.SourceFile, 0, 0, 0, 0, $"Ebpf.Build: cannot run clang at '{ClangPath}' ({e.Message}). Set BpfClangPath to a working clang, or install the clang package (`apt-get install clang`).");
            return;
        }

        var reported = Report(result.StandardError) | Report(result.StandardOutput);
        if (result.ExitCode != 0)
        {
            if (!reported)
                Log.LogError(null, BuildErrors.ClangFailed, null, source.SourceFile, 0, 0, 0, 0,
                    $"clang failed with exit code {result.ExitCode} without a diagnostic: {result.StandardError.Trim()}");
            DeleteStale(source);
            return;
        }

        // The generator cannot read binary AdditionalFiles (CS2015), so it gets this text copy.
        var bytes = File.ReadAllBytes(source.ObjectFile);
        File.WriteAllText(source.Base64File, Convert.ToBase64String(bytes));
    }

    /// <summary>Logs each clang diagnostic as an MSBuild error/warning/message. True when an error was logged.</summary>
    private bool Report(string output)
    {
        var anyError = false;
        foreach (var line in output.Split('\n'))
        {
            var text = line.TrimEnd('\r');
            if (text.Length == 0)
                continue;
            var d = ClangDiagnostic.Parse(text);
            switch (d.Severity)
            {
                case ClangSeverity.Error:
                    Log.LogError(null, d.Code, null, d.File, d.Line, d.Column, 0, 0, d.Message);
                    anyError = true;
                    break;
                case ClangSeverity.Warning:
                    Log.LogWarning(null, d.Code, null, d.File, d.Line, d.Column, 0, 0, d.Message);
                    break;
                case ClangSeverity.Note:
                    Log.LogMessage(MessageImportance.High, d.File is null ? "note: " + d.Message : $"{d.File}({d.Line},{d.Column}): note: {d.Message}");
                    break;
                default:
                    // source snippets, carets, "N errors generated."
                    Log.LogMessage(MessageImportance.Normal, text);
                    break;
            }
        }
        return anyError;
    }

    /// <summary>A failed compile leaves no old object behind to be embedded as if it were current.</summary>
    private static void DeleteStale(BpfSourceInfo source)
    {
        File.Delete(source.ObjectFile);
        File.Delete(source.Base64File);
    }
}
