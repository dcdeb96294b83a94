using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Ebpf.Generator.Tests.Harness;
using Ebpf.TestKit;

namespace Ebpf.Generator.Tests;

/// <summary>
/// The generated source for the test objects, compared with checked-in files under Golden/. After an
/// intended change, regenerate with EBPF_UPDATE_GOLDEN=1 and review the diff; CI refuses to regenerate.
/// </summary>
public class GoldenTests
{
    // Only this project's own test objects: a golden file of another team's object would break on every edit of it.
    public static TheoryData<string> Objects => new() { "gen_maps.bpf.c", "gen_globals.bpf.c" };

    [Theory]
    [MemberData(nameof(Objects))]
    public void GeneratedSourceMatchesGolden(string cFile)
    {
        var result = GeneratorHarness.Run(ObjectInput.ForTestObject(cFile));
        Assert.Empty(result.Errors);
        var golden = Path.Combine(RepoPaths.Root, "tests", "Generator.Tests", "Golden", cFile.Replace(".bpf.c", ".g.cs"));
        AssertMatchesGolden(golden, result.SingleSource);
    }

    /// <summary>The Types metadata: named types no map or global reaches become nested types like the others.</summary>
    [Fact]
    public void NamedTypesMatchGolden()
    {
        var input = ObjectInput.ForTestObject("gen_named_types.bpf.c") with { Types = NamedTypes };
        var result = GeneratorHarness.Run(input);
        Assert.Empty(result.Errors);
        var golden = Path.Combine(RepoPaths.Root, "tests", "Generator.Tests", "Golden", "gen_named_types.g.cs");
        AssertMatchesGolden(golden, result.SingleSource);
    }

    /// <summary>Everything gen_named_types.bpf.c anchors, except counter_t (a typedef of an integer: EBPF011).</summary>
    internal const string NamedTypes = "event,kind,sample_t,addr,maps,stats";

    /// <summary>Access="internal": the same skeleton as the golden file but for the class's modifier, and it still
    /// compiles warning-free against the runtime together with code that uses it.</summary>
    [Fact]
    public void InternalSkeletonDiffersFromGoldenOnlyInItsModifier()
    {
        var result = GeneratorHarness.Run(ObjectInput.ForTestObject("gen_maps.bpf.c") with { Access = "internal" });
        Assert.Empty(result.Errors);
        var golden = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "Generator.Tests", "Golden", "gen_maps.g.cs"));
        const string PublicClass = "    public sealed partial class GenMapsSkel : global::System.IDisposable";
        Assert.Contains(PublicClass, golden);
        Assert.Equal(golden.Replace(PublicClass, "    internal sealed partial class GenMapsSkel : global::System.IDisposable"), result.SingleSource);
        var usage = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "Generator.Tests", "Usage", "gen_maps.usage.cs"));
        var problems = TestCompiler.Problems(TestCompiler.Create("Internal", withRuntime: true, result.SingleSource, usage));
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(40)));
    }

    /// <summary>Anything but "internal" (any case) keeps the skeleton public: the task rejects other values (EBPF110).</summary>
    [Theory]
    [InlineData("", "public")]
    [InlineData("public", "public")]
    [InlineData("Internal", "internal")]
    [InlineData("INTERNAL", "internal")]
    public void AccessMetadataPicksTheModifier(string access, string modifier)
    {
        var source = GeneratorHarness.Run(ObjectInput.ForTestObject("gen_maps.bpf.c") with { Access = access }).SingleSource;
        Assert.Contains($"    {modifier} sealed partial class GenMapsSkel :", source);
    }

    internal static void AssertMatchesGolden(string goldenPath, string actual)
    {
        if (Environment.GetEnvironmentVariable("EBPF_UPDATE_GOLDEN") == "1")
        {
            Assert.False(Kernel.IsCI, "EBPF_UPDATE_GOLDEN=1 is refused when CI=true: golden files are updated by a developer and reviewed, never by CI");
            File.WriteAllText(goldenPath, actual);
            return;
        }
        Assert.True(File.Exists(goldenPath), $"missing golden file {goldenPath}; create it with EBPF_UPDATE_GOLDEN=1 and review it");
        var expected = File.ReadAllText(goldenPath);
        if (expected != actual)
            Assert.Fail($"generated source differs from {Path.GetFileName(goldenPath)} (- golden, + generated; " +
                        "if the change is intended, rerun with EBPF_UPDATE_GOLDEN=1 and review):\n" + Diff(expected, actual));
    }

    /// <summary>A unified-style line diff with two lines of context around each change.</summary>
    internal static string Diff(string expected, string actual)
    {
        var model = InlineDiffBuilder.Diff(expected, actual, ignoreWhiteSpace: false);
        var lines = model.Lines;
        var show = new bool[lines.Count];
        for (var i = 0; i < lines.Count; i++)
            if (lines[i].Type != ChangeType.Unchanged)
                for (var j = Math.Max(0, i - 2); j <= Math.Min(lines.Count - 1, i + 2); j++)
                    show[j] = true;
        var sb = new StringBuilder();
        var skipped = false;
        for (var i = 0; i < lines.Count; i++)
        {
            if (!show[i])
            {
                skipped = true;
                continue;
            }
            if (skipped)
                sb.AppendLine("  ...");
            skipped = false;
            var mark = lines[i].Type switch { ChangeType.Inserted => "+ ", ChangeType.Deleted => "- ", _ => "  " };
            sb.Append(mark).AppendLine(lines[i].Text);
        }
        return sb.ToString();
    }
}
