using Ebpf.Build.Clang;
using Ebpf.Build.Linking;
using Microsoft.Build.Utilities;

namespace Ebpf.Build.Types;

/// <summary>EBPF106 for Types names no source defines, with the closest type names the preprocessed sources declare.</summary>
internal static class UnknownTypes
{
    public static void Report(TaskLoggingHelper log, string clang, ClangSettings settings, IReadOnlyList<BpfSourceInfo> sources,
                              IReadOnlyList<string> unknown, CancellationToken cancellationToken)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in sources)
            known.UnionWith(KnownTypeNames(clang, settings, source, cancellationToken));
        var files = string.Join(" and ", sources.Select(s => Path.GetFileName(s.SourceFile)));
        var item = sources.Count == 1 ? $"BpfSource '{files}'" : $"Object '{LinkedObjectInfo.ObjectValue(sources[0].LinkedObject)}'";
        foreach (var name in unknown)
        {
            var close = CloseNames.Find(name, known);
            var hint = close.Count switch
            {
                0 => "",
                1 => $" Did you mean '{close[0]}'?",
                _ => " Did you mean one of: " + string.Join(", ", close.Select(c => "'" + c + "'")) + "?",
            };
            log.LogError(null, BuildErrors.UnknownType, null, sources[0].ItemProjectFile, 0, 0, 0, 0,
                $"{item}: Types names '{name}', but {files} and {(sources.Count == 1 ? "its" : "their")} headers define no struct, union, enum or typedef called '{name}'.{hint} " +
                "Fix the name in the Types metadata, or define the type in the source.");
        }
    }

    /// <summary>Every type name the preprocessed source declares; empty when preprocessing failed (then there are no suggestions).</summary>
    private static IReadOnlySet<string> KnownTypeNames(string clang, ClangSettings settings, BpfSourceInfo source, CancellationToken cancellationToken)
    {
        var result = ClangRunner.Run(clang, ClangCommandLine.FromStdin(settings, source, "-E", "-P", "-w"), settings.ProjectDirectory,
                                     CString.Include(source.SourceFile), cancellationToken, out _);
        return result is { ExitCode: 0 } ? CTypeNames.Scan(result.StandardOutput) : new HashSet<string>();
    }
}
