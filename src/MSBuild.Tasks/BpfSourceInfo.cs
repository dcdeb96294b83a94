using Microsoft.Build.Framework;

namespace Ebpf.Build;

/// <summary>
/// One <c>BpfSource</c> item after <see cref="PrepareBpfSources"/> resolved its metadata: where its outputs go
/// and what the generator is told about it (docs/build-contract.md).
/// </summary>
internal sealed record BpfSourceInfo(
    string SourceFile,
    string ObjectFile,
    string DependencyFile,
    string Base64File,
    string FlagsFile,
    IReadOnlyList<string> IncludeDirectories,
    IReadOnlyList<string> ClangArgs,
    string SkeletonName,
    string Namespace,
    string ResourceName,
    IReadOnlyList<string> Types,
    string TypesFile,
    string ItemProjectFile,            // the project file that declares the BpfSource item: where item-level errors point
    string LinkedObject)               // the linked object this source is part of (Object metadata), or "" for an object of its own
{
    /// <summary>
    /// A source compiled outside a build (the test kit's objects): no skeleton, no Types, the .d file beside the object.
    /// Kept here so that a new field gets its neutral value in one place.
    /// </summary>
    public static BpfSourceInfo Standalone(string sourceFile, string objectFile, IReadOnlyList<string> clangArgs) =>
        new(sourceFile, objectFile, objectFile + ".d", "", "", [], clangArgs, "", "", "", [], "", "", "");

    /// <summary>Part of a linked object: compiled to LLVM bitcode (<see cref="ObjectFile"/> is the .bc), linked later by <see cref="LinkBpfObject"/>.</summary>
    public bool IsLinked => LinkedObject.Length != 0;

    /// <summary>The file clang compiles: the source itself, or the generated wrapper that anchors <see cref="Types"/> (TypeAnchors).</summary>
    public string CompiledFile => Types.Count == 0 ? SourceFile : TypesFile;

    /// <summary>Item metadata names written by <see cref="PrepareBpfSources"/> and read back by the compile task and the targets.</summary>
    public static class Metadata
    {
        public const string ObjectFile = "ObjectFile";
        public const string DependencyFile = "DependencyFile";
        public const string Base64File = "Base64File";
        public const string FlagsFile = "FlagsFile";
        public const string IncludeDirectories = "IncludeDirectories";
        public const string ClangArgs = "ClangArgs";
        public const string SkeletonName = "SkeletonName";
        public const string Namespace = "Namespace";
        public const string ResourceName = "ResourceName";
        public const string Dependencies = "Dependencies";
        public const string Types = "Types";
        public const string TypesFile = "TypesFile";
        /// <summary>Types for the generator, comma-separated: ';' would start a comment in the analyzer config file it travels through.</summary>
        public const string GeneratorTypes = "GeneratorTypes";
        public const string ItemProjectFile = "ItemProjectFile";
        public const string LinkedObject = "LinkedObject";
    }

    /// <summary>Reads back an item that <see cref="PrepareBpfSources"/> produced.</summary>
    public static BpfSourceInfo FromPreparedItem(ITaskItem item) => new(
        item.GetMetadata("FullPath"),
        item.GetMetadata(Metadata.ObjectFile),
        item.GetMetadata(Metadata.DependencyFile),
        item.GetMetadata(Metadata.Base64File),
        item.GetMetadata(Metadata.FlagsFile),
        SplitList(item.GetMetadata(Metadata.IncludeDirectories)),
        Clang.ClangSettings.SplitFlags(item.GetMetadata(Metadata.ClangArgs)),
        item.GetMetadata(Metadata.SkeletonName),
        item.GetMetadata(Metadata.Namespace),
        item.GetMetadata(Metadata.ResourceName),
        SplitList(item.GetMetadata(Metadata.Types)),
        item.GetMetadata(Metadata.TypesFile),
        item.GetMetadata(Metadata.ItemProjectFile),
        item.GetMetadata(Metadata.LinkedObject));

    public static IReadOnlyList<string> SplitList(string value) =>
        value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
