using Ebpf.Build.Clang;
using Ebpf.Object;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Ebpf.Build;

/// <summary>
/// Resolves every <c>BpfSource</c> item's metadata (output paths, skeleton name, namespace, resource name),
/// reads the header dependencies clang recorded last time (so the compile target's Inputs include them),
/// writes a per-source stamp of the clang command line (so changed flags recompile), and finds clang.
/// Cheap: it runs on every build, including no-change and design-time builds.
/// </summary>
public sealed class PrepareBpfSources : ClangTaskBase
{
    [Required]
    public ITaskItem[] Sources { get; set; } = [];

    /// <summary>Where objects go: <c>$(IntermediateOutputPath)bpf/</c>.</summary>
    [Required]
    public string IntermediateDirectory { get; set; } = "";

    public string? RootNamespace { get; set; }

    /// <summary><c>BpfClangPath</c>.</summary>
    public string? ClangPath { get; set; }

    [Output]
    public ITaskItem[] PreparedSources { get; private set; } = [];

    /// <summary>Full path of clang, or empty when none was found (the targets then fail with one error, only if something must compile).</summary>
    [Output]
    public string ResolvedClangPath { get; private set; } = "";

    /// <summary>Where the search looked ("BpfClangPath", "BPF_CLANG" or "PATH"), for the error message.</summary>
    [Output]
    public string ClangSearchSource { get; private set; } = "";

    public override bool Execute()
    {
        if (!TryGetSettings(out var settings))
            return false;
        var found = ClangLocator.Find(ClangPath, Environment.GetEnvironmentVariable(ClangLocator.EnvironmentVariable),
                                      Environment.GetEnvironmentVariable("PATH"));
        ResolvedClangPath = found.Path ?? "";
        ClangSearchSource = found.Source;

        var intermediate = Path.GetFullPath(IntermediateDirectory, settings.ProjectDirectory);
        var byObject = new Dictionary<string, string>(StringComparer.Ordinal);
        var prepared = new List<ITaskItem>();
        foreach (var source in Sources)
        {
            var fullPath = source.GetMetadata("FullPath");
            var fileName = Path.GetFileName(fullPath);
            var objectName = Path.GetFileNameWithoutExtension(fileName) + ".o";
            if (byObject.TryGetValue(objectName, out var other))
            {
                Log.LogError(null, BuildErrors.DuplicateObjectName, null, fullPath, 0, 0, 0, 0,
                    $"BpfSource '{fullPath}' and '{other}' would both compile to '{objectName}': rename one of the files (objects and embedded resources are named after the file).");
                continue;
            }
            byObject.Add(objectName, fullPath);

            var objectFile = Path.Combine(intermediate, objectName);
            var itemProject = NonEmpty(source.GetMetadata("DefiningProjectFullPath")) ?? BuildEngine.ProjectFileOfTaskNode;
            var types = ParseTypes(source.GetMetadata("Types"), fileName, itemProject);
            var info = new BpfSourceInfo(
                fullPath,
                objectFile,
                Path.ChangeExtension(objectFile, ".d"),
                objectFile + ".b64",
                Path.ChangeExtension(objectFile, ".flags"),
                BpfSourceInfo.SplitList(source.GetMetadata("IncludeDirectories"))
                             .Select(d => Path.GetFullPath(d, settings.ProjectDirectory).TrimEnd('/')).ToList(),
                ClangSettings.SplitFlags(source.GetMetadata("ClangArgs")),
                NonEmpty(source.GetMetadata("SkeletonName")) ?? SkeletonNames.FromFileName(fileName),
                NonEmpty(source.GetMetadata("Namespace")) ?? RootNamespace?.Trim() ?? "",
                "Ebpf.Objects." + objectName,
                types,
                Path.ChangeExtension(objectFile, ".types.c"),
                itemProject);

            var item = new TaskItem(source);
            item.SetMetadata(BpfSourceInfo.Metadata.ObjectFile, info.ObjectFile);
            item.SetMetadata(BpfSourceInfo.Metadata.DependencyFile, info.DependencyFile);
            item.SetMetadata(BpfSourceInfo.Metadata.Base64File, info.Base64File);
            item.SetMetadata(BpfSourceInfo.Metadata.FlagsFile, info.FlagsFile);
            item.SetMetadata(BpfSourceInfo.Metadata.IncludeDirectories, string.Join(';', info.IncludeDirectories));
            item.SetMetadata(BpfSourceInfo.Metadata.ClangArgs, string.Join(' ', info.ClangArgs));
            item.SetMetadata(BpfSourceInfo.Metadata.SkeletonName, info.SkeletonName);
            item.SetMetadata(BpfSourceInfo.Metadata.Namespace, info.Namespace);
            item.SetMetadata(BpfSourceInfo.Metadata.ResourceName, info.ResourceName);
            item.SetMetadata(BpfSourceInfo.Metadata.Dependencies, string.Join(';', ReadDependencies(info)));
            item.SetMetadata(BpfSourceInfo.Metadata.Types, string.Join(';', info.Types));
            item.SetMetadata(BpfSourceInfo.Metadata.GeneratorTypes, string.Join(',', info.Types));
            item.SetMetadata(BpfSourceInfo.Metadata.TypesFile, info.Types.Count == 0 ? "" : info.TypesFile);
            item.SetMetadata(BpfSourceInfo.Metadata.ItemProjectFile, info.ItemProjectFile);
            prepared.Add(item);

            // Without clang the stamp is left alone: up-to-date objects need no compiler, and changed ones fail in _BpfCheckClang.
            if (ResolvedClangPath.Length != 0 || !File.Exists(info.FlagsFile))
                WriteFlagsStamp(info, ClangCommandLine.Format(ResolvedClangPath, ClangCommandLine.Build(settings, info)) +
                                      (info.Types.Count == 0 ? "" : "\ntypes: " + string.Join(';', info.Types)));
        }
        PreparedSources = prepared.ToArray();
        return !Log.HasLoggedErrors;
    }

    /// <summary>The Types metadata: C identifiers, semicolon-separated, duplicates dropped. Anything else is an error at the item.</summary>
    private IReadOnlyList<string> ParseTypes(string value, string fileName, string itemProject)
    {
        var result = new List<string>();
        foreach (var name in BpfSourceInfo.SplitList(value))
        {
            if (!Types.CString.IsIdentifier(name))
            {
                Log.LogError(null, BuildErrors.UnknownType, null, itemProject, 0, 0, 0, 0,
                    $"BpfSource '{fileName}': Types lists '{name}', which is not a C identifier. Give the tag or typedef name alone, without 'struct'/'union'/'enum' (Types=\"event;stats\").");
                continue;
            }
            if (!result.Contains(name))
                result.Add(name);
        }
        return result;
    }

    /// <summary>The headers of the last successful compile. None yet (first build): the object does not exist either, so it compiles anyway.</summary>
    private IEnumerable<string> ReadDependencies(BpfSourceInfo info)
    {
        if (!File.Exists(info.DependencyFile))
            return [];
        try
        {
            return DependencyFile.Parse(File.ReadAllText(info.DependencyFile))
                .Select(p => Path.GetFullPath(p, ProjectDirectory))
                .Where(p => !string.Equals(p, info.SourceFile, StringComparison.Ordinal) && !string.Equals(p, info.TypesFile, StringComparison.Ordinal));
        }
        catch (IOException e)
        {
            Log.LogMessage(MessageImportance.Low, $"Ebpf.Build: cannot read {info.DependencyFile} ({e.Message}); the object will be rebuilt.");
            return [info.DependencyFile + ".unreadable"]; // a missing input makes MSBuild run the target
        }
    }

    /// <summary>Rewritten only when the command line changed, so its timestamp says "flags changed since the object was built".</summary>
    private static void WriteFlagsStamp(BpfSourceInfo info, string commandLine)
    {
        var text = commandLine + "\n";
        if (File.Exists(info.FlagsFile) && File.ReadAllText(info.FlagsFile) == text)
            return;
        Directory.CreateDirectory(Path.GetDirectoryName(info.FlagsFile)!);
        File.WriteAllText(info.FlagsFile, text);
    }

    private static string? NonEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
