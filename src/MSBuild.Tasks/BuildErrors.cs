namespace Ebpf.Build;

/// <summary>Codes of the build's own errors (docs/build.md). EBPF001-099 belong to the generator; EBPF101 is raised by the targets.</summary>
internal static class BuildErrors
{
    public const string ClangNotFound = "EBPF101";
    public const string DuplicateObjectName = "EBPF102";
    public const string BadEndianness = "EBPF103";
    public const string NoKernelBtf = "EBPF104";
    public const string ClangFailed = "EBPF105";
    public const string UnknownType = "EBPF106";
    public const string BadObjectMetadata = "EBPF107";
    public const string LinkFailed = "EBPF108";
    public const string DuplicateSymbol = "EBPF109";
    public const string BadAccess = "EBPF110";
    public const string MapMismatch = "EBPF111";
}
