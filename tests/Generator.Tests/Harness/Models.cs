using Ebpf.Generator.Model;
using Ebpf.Generator.Parsing;

namespace Ebpf.Generator.Tests.Harness;

/// <summary>The parse step run directly, for tests that look at the model rather than the emitted text.</summary>
internal static class Models
{
    public static ObjectItem ToItem(ObjectInput input) =>
        new(input.Path, input.Text, input.SkeletonName, input.Namespace, input.ResourceName, input.SourceFile, input.Types, input.Access);

    public static SkeletonModel Parse(ObjectInput input) => ObjectParser.Parse(ToItem(input), CancellationToken.None);
}
