using Ebpf.Build.Clang;
using Ebpf.Build.Types;
using Microsoft.Build.Framework;

namespace Ebpf.Build;

/// <summary>
/// Compiles prepared <c>BpfSource</c> items with clang (only the ones MSBuild found out of date), turns
/// clang's diagnostics into MSBuild errors and warnings at their file and line, and writes the base64
/// text copy of each object that the generator reads (docs/build-contract.md). A source with <c>Types</c>
/// is compiled through its wrapper (<see cref="TypeAnchorFile"/>) after the names were checked.
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
        Log.LogMessage(MessageImportance.High, $"Ebpf.Build: compiling {Path.GetFileName(source.SourceFile)}");
        Directory.CreateDirectory(Path.GetDirectoryName(source.ObjectFile)!);
        if (source.Types.Count > 0)
        {
            switch (ResolveTypes(settings, source, out var resolved))
            {
                case TypesState.Failed:
                    DeleteStale(source);
                    return;
                case TypesState.CompileAlone:
                    // Compile the source alone: clang's errors then read as they would without Types. (Also a source of a
                    // linked object that defines none of the names.)
                    source = source with { Types = [] };
                    break;
                case TypesState.Resolved:
                    TypeAnchorFile.Write(source.TypesFile, TypeAnchorFile.Text(source.SourceFile, resolved));
                    break;
            }
        }

        var args = ClangCommandLine.Build(settings, source);
        Log.LogMessage(MessageImportance.Low, ClangCommandLine.Format(ClangPath, args));
        var result = RunClang(settings, source, args, stdin: null);
        if (result is null)
            return;
        var reported = Report(result.StandardError) | Report(result.StandardOutput);
        if (result.ExitCode != 0)
        {
            if (!reported)
                Log.LogError(null, BuildErrors.ClangFailed, null, source.SourceFile, 0, 0, 0, 0,
                    $"clang failed with exit code {result.ExitCode} without a diagnostic: {result.StandardError.Trim()}");
            DeleteStale(source);
            return;
        }

        if (source.IsLinked)
            return; // bitcode: LinkBpfObject writes the object and its text copy
        // The generator cannot read binary AdditionalFiles (CS2015), so it gets this text copy.
        var bytes = File.ReadAllBytes(source.ObjectFile);
        File.WriteAllText(source.Base64File, Convert.ToBase64String(bytes));
    }

    private enum TypesState { Resolved, CompileAlone, Failed }

    /// <summary>How each Types name is declared (<see cref="TypeProbe"/>); an unknown name is an error at the item, with close names.</summary>
    private TypesState ResolveTypes(ClangSettings settings, BpfSourceInfo source, out List<(string Name, TypeKind Kind)> resolved)
    {
        resolved = [];
        var probe = RunClang(settings, source, ClangCommandLine.FromStdin(settings, source, "-fsyntax-only", "-ferror-limit=0", "-w"),
                             TypeProbe.Text(source.SourceFile, source.Types));
        if (probe is null)
            return TypesState.Failed;
        var outcome = TypeProbe.Interpret(source.Types, probe.StandardError + "\n" + probe.StandardOutput, probe.ExitCode);
        if (outcome.SourceHasErrors)
            return TypesState.CompileAlone;
        var unknown = source.Types.Where(n => outcome.Kinds[n] is null).ToList();
        resolved = source.Types.Where(n => outcome.Kinds[n] is not null).Select(n => (n, outcome.Kinds[n]!.Value)).ToList();
        if (unknown.Count == 0)
            return TypesState.Resolved;
        if (source.IsLinked)
        {
            // One source of a linked object: another source may define the rest; LinkBpfObject checks the names against the result.
            return resolved.Count == 0 ? TypesState.CompileAlone : TypesState.Resolved;
        }
        UnknownTypes.Report(Log, ClangPath, settings, [source], unknown, cancel.Token);
        return TypesState.Failed;
    }

    private ClangRunner.Result? RunClang(ClangSettings settings, BpfSourceInfo source, IReadOnlyList<string> args, string? stdin)
    {
        var result = ClangRunner.Run(ClangPath, args, settings.ProjectDirectory, stdin, cancel.Token, out var startError);
        if (startError is not null)
            Log.LogError(null, BuildErrors.ClangFailed, null, source.SourceFile, 0, 0, 0, 0,
                $"Ebpf.Build: cannot run clang at '{ClangPath}' ({startError}). Set BpfClangPath to a working clang, or install the clang package (`apt-get install clang`).");
        return result;
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
        if (source.Base64File.Length != 0)
            File.Delete(source.Base64File);
    }
}
