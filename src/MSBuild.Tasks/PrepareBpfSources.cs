using Ebpf.Build.Clang;
using Ebpf.Build.Linking;
using Ebpf.Object;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Ebpf.Build;

/// <summary>
/// Resolves every <c>BpfSource</c> item's metadata (output paths, skeleton name, namespace, resource name),
/// reads the header dependencies clang recorded last time (so the compile target's Inputs include them),
/// writes a per-source stamp of the clang command line (so changed flags recompile), and finds clang. Sources with the
/// same <c>Object</c> metadata become one linked object (<see cref="LinkedObjects"/>): each is compiled to bitcode,
/// and the llvm-link/llc of clang's LLVM are found for <see cref="LinkBpfObject"/>.
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

    /// <summary>One item per linked object (sources with the same <c>Object</c> metadata): what <see cref="LinkBpfObject"/> links.</summary>
    [Output]
    public ITaskItem[] LinkedObjects { get; private set; } = [];

    /// <summary>One item per final object (a source of its own, or a linked object): what is embedded and handed to the generator.</summary>
    [Output]
    public ITaskItem[] HandOffObjects { get; private set; } = [];

    /// <summary>llvm-link, llc and llvm-nm beside clang (empty when not found or no object is linked).</summary>
    [Output]
    public string ResolvedLlvmLinkPath { get; private set; } = "";

    [Output]
    public string ResolvedLlcPath { get; private set; } = "";

    [Output]
    public string ResolvedLlvmNmPath { get; private set; } = "";

    private ClangSettings settings = null!;
    private string intermediate = "";
    private readonly Dictionary<string, string> outputNames = new(StringComparer.Ordinal);
    private readonly List<ITaskItem> prepared = [];
    private readonly List<ITaskItem> linked = [];
    private readonly List<ITaskItem> handOff = [];

    public override bool Execute()
    {
        if (!TryGetSettings(out settings))
            return false;
        var found = ClangLocator.Find(ClangPath, Environment.GetEnvironmentVariable(ClangLocator.EnvironmentVariable),
                                      Environment.GetEnvironmentVariable("PATH"));
        ResolvedClangPath = found.Path ?? "";
        ClangSearchSource = found.Source;
        intermediate = Path.GetFullPath(IntermediateDirectory, settings.ProjectDirectory);

        // Sources with an Object value are grouped (in item order); the others are objects of their own.
        var groups = new Dictionary<string, List<ITaskItem>>(StringComparer.Ordinal);
        foreach (var source in Sources)
        {
            var objectValue = NonEmpty(source.GetMetadata("Object"));
            if (objectValue is null)
            {
                PrepareSingle(source);
                continue;
            }
            if (!ValidObjectName(objectValue))
            {
                Log.LogError(null, BuildErrors.BadObjectMetadata, null, ItemProject(source), 0, 0, 0, 0,
                    $"BpfSource '{source.GetMetadata("Filename")}{source.GetMetadata("Extension")}': Object is '{objectValue}', which cannot name a file: use letters, digits, '_', '-' and '.' (Object=\"proxy\" gives proxy.bpf.o and ProxySkel).");
                continue;
            }
            if (!groups.TryGetValue(objectValue, out var list))
                groups.Add(objectValue, list = []);
            list.Add(source);
        }
        foreach (var (name, sources) in groups)
            PrepareLinked(name, sources);

        if (groups.Count != 0)
        {
            var tools = LlvmTools.Find(ResolvedClangPath, Environment.GetEnvironmentVariable("PATH"));
            ResolvedLlvmLinkPath = tools.LlvmLink ?? "";
            ResolvedLlcPath = tools.Llc ?? "";
            ResolvedLlvmNmPath = tools.LlvmNm ?? "";
            foreach (var item in linked)
                WriteStamp(item.GetMetadata(LinkedObjectInfo.Metadata.StampFile),
                           string.Join('\n', [ResolvedLlvmLinkPath, ResolvedLlcPath, ResolvedLlvmNmPath,
                                               item.GetMetadata(LinkedObjectInfo.Metadata.Bitcode), item.GetMetadata(LinkedObjectInfo.Metadata.Types)]));
        }
        PreparedSources = prepared.ToArray();
        LinkedObjects = linked.ToArray();
        HandOffObjects = handOff.ToArray();
        return !Log.HasLoggedErrors;
    }

    private void PrepareSingle(ITaskItem source)
    {
        var fullPath = source.GetMetadata("FullPath");
        var fileName = Path.GetFileName(fullPath);
        var objectName = Path.GetFileNameWithoutExtension(fileName) + ".o";
        if (!ClaimOutputName(objectName, fullPath))
            return;
        var objectFile = Path.Combine(intermediate, objectName);
        var itemProject = ItemProject(source);
        var info = Describe(source, objectFile, objectFile + ".b64",
                            NonEmpty(source.GetMetadata("SkeletonName")) ?? SkeletonNames.FromFileName(fileName),
                            NonEmpty(source.GetMetadata("Namespace")) ?? RootNamespace?.Trim() ?? "",
                            "Ebpf.Objects." + objectName, ParseTypes(source.GetMetadata("Types"), $"BpfSource '{fileName}'", itemProject), "");
        AddPrepared(source, info);
        handOff.Add(HandOffItem(info.ObjectFile, info.Base64File, info.SkeletonName, info.Namespace, info.ResourceName, info.Types, info.SourceFile,
                                ParseAccess(source.GetMetadata("Access"), $"BpfSource '{fileName}'", itemProject)));
    }

    /// <summary>Sources with one Object value: each compiled to bitcode, then linked into <c>name.bpf.o</c>.</summary>
    private void PrepareLinked(string name, List<ITaskItem> sources)
    {
        var objectName = name + ".bpf.o";
        var first = sources[0];
        var firstFile = Path.GetFileName(first.GetMetadata("FullPath"));
        if (!ClaimOutputName(objectName, $"Object '{name}'"))
            return;
        // SkeletonName, Namespace, Types and Access describe the object: every source must say the same.
        foreach (var metadata in new[] { "SkeletonName", "Namespace", "Types", "Access" })
        {
            var expected = first.GetMetadata(metadata).Trim();
            foreach (var other in sources.Skip(1))
            {
                var value = other.GetMetadata(metadata).Trim();
                if (value != expected)
                    Log.LogError(null, BuildErrors.BadObjectMetadata, null, ItemProject(other), 0, 0, 0, 0,
                        $"Object '{name}': {metadata} is '{expected}' on {firstFile} but '{value}' on {Path.GetFileName(other.GetMetadata("FullPath"))}. " +
                        $"{metadata} applies to the whole linked object, so give every BpfSource of Object '{name}' the same value (ClangArgs and IncludeDirectories may differ per file).");
            }
        }
        var objectFile = Path.Combine(intermediate, objectName);
        var itemProject = ItemProject(first);
        var skeletonName = NonEmpty(first.GetMetadata("SkeletonName")) ?? SkeletonNames.FromFileName(name);
        var ns = NonEmpty(first.GetMetadata("Namespace")) ?? RootNamespace?.Trim() ?? "";
        var resourceName = "Ebpf.Objects." + objectName;
        var types = ParseTypes(first.GetMetadata("Types"), $"Object '{name}'", itemProject);
        var bitcode = new List<string>();
        var files = new List<string>();
        foreach (var source in sources)
        {
            var fullPath = source.GetMetadata("FullPath");
            var bitcodeName = Path.GetFileNameWithoutExtension(fullPath) + ".bc";
            if (!ClaimOutputName(bitcodeName, fullPath))
                continue;
            var info = Describe(source, Path.Combine(intermediate, bitcodeName), "", skeletonName, ns, resourceName, types, objectName);
            AddPrepared(source, info);
            bitcode.Add(info.ObjectFile);
            files.Add(fullPath);
        }
        var item = new TaskItem(objectFile);
        item.SetMetadata(LinkedObjectInfo.Metadata.Base64File, objectFile + ".b64");
        item.SetMetadata(LinkedObjectInfo.Metadata.LinkedBitcodeFile, Path.ChangeExtension(objectFile, ".linked.bc"));
        item.SetMetadata(LinkedObjectInfo.Metadata.StampFile, Path.ChangeExtension(objectFile, ".link"));
        item.SetMetadata(LinkedObjectInfo.Metadata.Bitcode, string.Join(';', bitcode));
        item.SetMetadata(LinkedObjectInfo.Metadata.SourceFiles, string.Join(';', files));
        item.SetMetadata(LinkedObjectInfo.Metadata.Types, string.Join(';', types));
        item.SetMetadata(LinkedObjectInfo.Metadata.ItemProjectFile, itemProject);
        linked.Add(item);
        handOff.Add(HandOffItem(objectFile, objectFile + ".b64", skeletonName, ns, resourceName, types, files.FirstOrDefault() ?? "",
                                ParseAccess(first.GetMetadata("Access"), $"Object '{name}'", itemProject)));
    }

    private BpfSourceInfo Describe(ITaskItem source, string objectFile, string base64File, string skeletonName, string ns,
                                   string resourceName, IReadOnlyList<string> types, string linkedObject)
    {
        var stem = Path.Combine(Path.GetDirectoryName(objectFile)!, Path.GetFileNameWithoutExtension(objectFile));
        return new BpfSourceInfo(
            source.GetMetadata("FullPath"),
            objectFile,
            stem + ".d",
            base64File,
            stem + ".flags",
            BpfSourceInfo.SplitList(source.GetMetadata("IncludeDirectories"))
                         .Select(d => Path.GetFullPath(d, settings.ProjectDirectory).TrimEnd('/')).ToList(),
            ClangSettings.SplitFlags(source.GetMetadata("ClangArgs")),
            skeletonName,
            ns,
            resourceName,
            types,
            stem + ".types.c",
            ItemProject(source),
            linkedObject);
    }

    private void AddPrepared(ITaskItem source, BpfSourceInfo info)
    {
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
        item.SetMetadata(BpfSourceInfo.Metadata.TypesFile, info.Types.Count == 0 ? "" : info.TypesFile);
        item.SetMetadata(BpfSourceInfo.Metadata.ItemProjectFile, info.ItemProjectFile);
        item.SetMetadata(BpfSourceInfo.Metadata.LinkedObject, info.LinkedObject);
        prepared.Add(item);

        // Without clang the stamp is left alone: up-to-date objects need no compiler, and changed ones fail in _BpfCheckClang.
        if (ResolvedClangPath.Length != 0 || !File.Exists(info.FlagsFile))
            WriteStamp(info.FlagsFile, ClangCommandLine.Format(ResolvedClangPath, ClangCommandLine.Build(settings, info)) +
                                       (info.Types.Count == 0 ? "" : "\ntypes: " + string.Join(';', info.Types)));
    }

    private static TaskItem HandOffItem(string objectFile, string base64File, string skeletonName, string ns, string resourceName,
                                        IReadOnlyList<string> types, string sourceFile, string access)
    {
        var item = new TaskItem(objectFile);
        item.SetMetadata("Base64File", base64File);
        item.SetMetadata("SkeletonName", skeletonName);
        item.SetMetadata("Namespace", ns);
        item.SetMetadata("ResourceName", resourceName);
        // Comma-separated: ';' would start a comment in the analyzer config file the generator reads it from.
        item.SetMetadata("GeneratorTypes", string.Join(',', types));
        item.SetMetadata("SourceFile", sourceFile);
        item.SetMetadata("Access", access);
        return item;
    }

    /// <summary>Objects, bitcode and their companions are named after files; two claims of one name are EBPF102.</summary>
    private bool ClaimOutputName(string outputName, string claimant)
    {
        if (outputNames.TryGetValue(outputName, out var other))
        {
            Log.LogError(null, BuildErrors.DuplicateObjectName, null, claimant.StartsWith('/') ? claimant : null, 0, 0, 0, 0,
                $"BpfSource {Describe(claimant)} and {Describe(other)} would both compile to '{outputName}': rename one of them (objects, bitcode and embedded resources are named after the file or the Object metadata).");
            return false;
        }
        outputNames.Add(outputName, claimant);
        return true;
        static string Describe(string c) => c.StartsWith('/') ? "'" + c + "'" : c;
    }

    private static bool ValidObjectName(string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') && !name.StartsWith('.');

    private string ItemProject(ITaskItem source) => NonEmpty(source.GetMetadata("DefiningProjectFullPath")) ?? BuildEngine.ProjectFileOfTaskNode;

    /// <summary>The Access metadata: "public" (also when empty) or "internal", any case; anything else is an error at the item.</summary>
    private string ParseAccess(string value, string what, string itemProject)
    {
        var access = value.Trim();
        if (access.Length == 0 || access.Equals("public", StringComparison.OrdinalIgnoreCase))
            return "public";
        if (access.Equals("internal", StringComparison.OrdinalIgnoreCase))
            return "internal";
        Log.LogError(null, BuildErrors.BadAccess, null, itemProject, 0, 0, 0, 0,
            $"{what}: Access is '{access}', but the skeleton class can only be public or internal. Use Access=\"internal\" to keep it inside the assembly, or leave Access out for public.");
        return "public";
    }

    /// <summary>The Types metadata: C identifiers, semicolon-separated, duplicates dropped. Anything else is an error at the item.</summary>
    private IReadOnlyList<string> ParseTypes(string value, string what, string itemProject)
    {
        var result = new List<string>();
        foreach (var name in BpfSourceInfo.SplitList(value))
        {
            if (!Types.CString.IsIdentifier(name))
            {
                Log.LogError(null, BuildErrors.UnknownType, null, itemProject, 0, 0, 0, 0,
                    $"{what}: Types lists '{name}', which is not a C identifier. Give the tag or typedef name alone, without 'struct'/'union'/'enum' (Types=\"event;stats\").");
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

    /// <summary>Rewritten only when the text changed, so its timestamp says "flags (or tools, or members) changed since the output was built".</summary>
    private static void WriteStamp(string path, string content)
    {
        var text = content + "\n";
        if (File.Exists(path) && File.ReadAllText(path) == text)
            return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static string? NonEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
