namespace Ebpf.Generator.Model
{
    /// <summary>
    /// One <c>*.bpf.o.b64</c> AdditionalFile marked <c>EbpfObject=true</c>, with its metadata
    /// (docs/build-contract.md). Holds the text itself so an unchanged file compares equal.
    /// </summary>
    internal sealed record ObjectItem(
        string Path,
        string? Base64,                 // null when the file could not be read
        string SkeletonName,
        string Namespace,
        string ResourceName,
        string SourceFile,
        string Types,                   // the BpfSource's Types metadata: names separated by ',' ("" = none)
        string Access);                 // the BpfSource's Access metadata: "internal" makes the skeleton internal, anything else public
}
