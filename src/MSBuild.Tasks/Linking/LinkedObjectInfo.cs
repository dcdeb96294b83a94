using Microsoft.Build.Framework;

namespace Ebpf.Build.Linking;

/// <summary>
/// One object linked from several <c>BpfSource</c> items with the same <c>Object</c> metadata
/// (<c>Object="proxy"</c> -> <c>proxy.bpf.o</c>, <c>ProxySkel</c>): its sources' bitcode, its outputs, and the
/// object-level metadata its sources agreed on.
/// </summary>
internal sealed record LinkedObjectInfo(
    string Name,                          // "proxy.bpf.o"
    string ObjectFile,
    string Base64File,
    string LinkedBitcodeFile,             // llvm-link's output, llc's input
    string StampFile,                     // the tools and members: a change relinks
    IReadOnlyList<string> BitcodeFiles,   // in item order
    IReadOnlyList<string> SourceFiles,    // same order
    IReadOnlyList<string> Types,
    string ItemProjectFile)
{
    public static class Metadata
    {
        public const string Base64File = "Base64File";
        public const string LinkedBitcodeFile = "LinkedBitcodeFile";
        public const string StampFile = "StampFile";
        public const string Bitcode = "Bitcode";
        public const string SourceFiles = "SourceFiles";
        public const string Types = "Types";
        public const string ItemProjectFile = "ItemProjectFile";
    }

    /// <summary>"proxy.bpf.o" -> "proxy", the Object metadata value it was named after (for messages).</summary>
    public static string ObjectValue(string objectName) =>
        objectName.EndsWith(".bpf.o", StringComparison.Ordinal) ? objectName[..^".bpf.o".Length] : objectName;

    public static LinkedObjectInfo FromItem(ITaskItem item) => new(
        Path.GetFileName(item.ItemSpec),
        item.GetMetadata("FullPath"),
        item.GetMetadata(Metadata.Base64File),
        item.GetMetadata(Metadata.LinkedBitcodeFile),
        item.GetMetadata(Metadata.StampFile),
        BpfSourceInfo.SplitList(item.GetMetadata(Metadata.Bitcode)),
        BpfSourceInfo.SplitList(item.GetMetadata(Metadata.SourceFiles)),
        BpfSourceInfo.SplitList(item.GetMetadata(Metadata.Types)),
        item.GetMetadata(Metadata.ItemProjectFile));
}
