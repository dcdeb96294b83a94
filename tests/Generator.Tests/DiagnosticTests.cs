using Ebpf.Generator.Tests.Harness;
using Ebpf.Programs;
using Ebpf.TestKit;
using Microsoft.CodeAnalysis;

namespace Ebpf.Generator.Tests;

/// <summary>Each diagnostic fires on the input it describes and points at the C source.</summary>
public class DiagnosticTests
{
    [Fact]
    public void UnknownSectionIsAWarningAndTheProgramStaysPlain()
    {
        var input = ObjectInput.FromBytes(TestObjects.Bytes("gen_nobtf.bpf.c", "-g0"), "nobtf", "NoBtfSkel");
        var result = GeneratorHarness.Run(input);
        var d = Assert.Single(result.Diagnostics, x => x.Id == "EBPF003");
        Assert.Equal(DiagnosticSeverity.Warning, d.DefaultSeverity);
        Assert.Contains("'odd_one'", d.GetMessage());
        Assert.Contains("'not_a_known_section'", d.GetMessage());
        Assert.Equal(input.SourceFile, d.Location.GetLineSpan().Path);
        Assert.Contains("public global::Ebpf.Programs.BpfProgram OddOne =>", result.SingleSource);
    }

    [Fact]
    public void ClashingMemberNamesAreReportedAsInformation()
    {
        var result = GeneratorHarness.Run(ObjectInput.ForTestObject("gen_globals.bpf.c"));
        var renames = result.Diagnostics.Where(x => x.Id == "EBPF005").Select(x => x.GetMessage()).ToList();
        Assert.Contains(renames, m => m.Contains("'gen_naming' is generated as 'GenNaming1'"));
        Assert.Contains(renames, m => m.Contains("'GenNaming' is generated as 'GenNaming2'"));
        Assert.All(result.Diagnostics.Where(x => x.Id == "EBPF005"), x => Assert.Equal(DiagnosticSeverity.Info, x.DefaultSeverity));
    }

    [Fact]
    public void ObjectWithoutBtfStillExposesProgramsWithAWarning()
    {
        var bytes = TestObjects.Bytes("gen_nobtf.bpf.c", "-g0");
        var result = GeneratorHarness.Run(ObjectInput.FromBytes(bytes, "nobtf", "NoBtfSkel"));
        Assert.Contains(result.Diagnostics, x => x.Id == "EBPF009");
        Assert.Contains("public global::Ebpf.Programs.XdpProgram CountHits =>", result.SingleSource);
        // Without BTF the variables of .data are unknown: no section property is generated.
        Assert.DoesNotContain("GetGlobalData", result.SingleSource);
    }

    [Fact]
    public void TwoObjectsWithOneSkeletonNameGiveAnErrorNotACrash()
    {
        var a = ObjectInput.ForTestObject("gen_maps.bpf.c", skeletonName: "SameSkel");
        var b = ObjectInput.ForTestObject("gen_globals.bpf.c", skeletonName: "SameSkel") with { Path = "/obj/bpf/other.bpf.o.b64" };
        var result = GeneratorHarness.Run(a, b);
        Assert.Single(result.Sources);
        Assert.Contains(result.Diagnostics, x => x.Id == "EBPF010");
    }

    [Fact]
    public void InvalidSkeletonNameIsSanitizedWithAWarning()
    {
        var input = ObjectInput.ForTestObject("gen_maps.bpf.c", skeletonName: "my-skel!") with { Namespace = "Bad Name.x" };
        var result = GeneratorHarness.Run(input);
        Assert.Equal(2, result.Diagnostics.Count(x => x.Id == "EBPF006"));
        Assert.Contains("public sealed partial class myskel", result.SingleSource);
        Assert.Contains("namespace BadName.x", result.SingleSource);
    }

    [Fact]
    public void EveryDiagnosticIdIsDocumented()
    {
        var doc = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "diagnostics.md"));
        foreach (var field in typeof(SkeletonGenerator).Assembly.GetType("Ebpf.Generator.Diagnostics")!.GetFields())
            if (field.GetValue(null) is DiagnosticDescriptor d)
                Assert.Contains("## " + d.Id, doc);
    }

    [Fact]
    public void TypesNamesMissingFromTheBtfOrNotStructsAreErrorsAtTheSource()
    {
        var input = ObjectInput.ForTestObject("gen_named_types.bpf.c") with { Types = "event,counter_t,no_such_type" };
        var result = GeneratorHarness.Run(input);
        var errors = result.Diagnostics.Where(x => x.Id == "EBPF011").ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, d => Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity));
        Assert.All(errors, d => Assert.Equal(input.SourceFile, d.Location.GetLineSpan().Path));
        Assert.Contains(errors, d => d.GetMessage().Contains("'counter_t'") && d.GetMessage().Contains("typedef of a 4-byte integer"));
        Assert.Contains(errors, d => d.GetMessage().Contains("'no_such_type'") && d.GetMessage().Contains("has no struct, union, enum or typedef"));
        // The names that exist are still generated.
        Assert.Contains("public partial struct Event", result.SingleSource);
    }

    [Fact]
    public void TypesOnAnObjectWithoutTheAnchorsSaysTheTypeIsMissing()
    {
        // gen_maps has no anchors: a type used only in a local pointer would be missing exactly like this.
        var result = GeneratorHarness.Run(ObjectInput.ForTestObject("gen_maps.bpf.c") with { Types = "event" });
        var d = Assert.Single(result.Diagnostics, x => x.Id == "EBPF011");
        Assert.Contains("'event'", d.GetMessage());
    }
}
