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
                case TypesState.SourceHasErrors:
                    // Compile the source alone: clang's errors then read as they would without Types.
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

        // The generator cannot read binary AdditionalFiles (CS2015), so it gets this text copy.
        var bytes = File.ReadAllBytes(source.ObjectFile);
        File.WriteAllText(source.Base64File, Convert.ToBase64String(bytes));
    }

    private enum TypesState { Resolved, SourceHasErrors, Failed }

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
            return TypesState.SourceHasErrors;
        var unknown = source.Types.Where(n => outcome.Kinds[n] is null).ToList();
        if (unknown.Count == 0)
        {
            resolved = source.Types.Select(n => (n, outcome.Kinds[n]!.Value)).ToList();
            return TypesState.Resolved;
        }

        var known = KnownTypeNames(settings, source);
        var file = Path.GetFileName(source.SourceFile);
        foreach (var name in unknown)
        {
            var close = known is null ? [] : CloseNames.Find(name, known);
            var hint = close.Count switch
            {
                0 => "",
                1 => $" Did you mean '{close[0]}'?",
                _ => " Did you mean one of: " + string.Join(", ", close.Select(c => "'" + c + "'")) + "?",
            };
            Log.LogError(null, BuildErrors.UnknownType, null, source.ItemProjectFile, 0, 0, 0, 0,
                $"BpfSource '{file}': Types names '{name}', but {file} and its headers define no struct, union, enum or typedef called '{name}'.{hint} " +
                "Fix the name in the Types metadata, or define the type in the source.");
        }
        return TypesState.Failed;
    }

    /// <summary>Every type name the preprocessed source declares, for suggestions; null when preprocessing failed.</summary>
    private IReadOnlySet<string>? KnownTypeNames(ClangSettings settings, BpfSourceInfo source)
    {
        var result = RunClang(settings, source, ClangCommandLine.FromStdin(settings, source, "-E", "-P", "-w"), CString.Include(source.SourceFile));
        return result is { ExitCode: 0 } ? CTypeNames.Scan(result.StandardOutput) : null;
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
        File.Delete(source.Base64File);
    }
}
