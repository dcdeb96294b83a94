using Ebpf.Generator.Tests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Ebpf.Generator.Tests;

/// <summary>The pipeline's steps are cached across compilations unless their own input changed.</summary>
public class IncrementalTests
{
    private static readonly string[] steps = [SkeletonGenerator.Steps.Items, SkeletonGenerator.Steps.Models, SkeletonGenerator.Steps.AllModels];

    [Fact]
    public void UnrelatedCSharpEditLeavesEveryStepCached()
    {
        var inputs = new[] { ObjectInput.ForTestObject("gen_maps.bpf.c"), ObjectInput.ForTestObject("gen_globals.bpf.c") };
        var files = inputs.Select(GeneratorHarness.ToAdditionalFile).ToList();
        var driver = GeneratorHarness.CreateDriver(files.Select(f => f.Text), files.ToDictionary(f => f.Text.Path, f => f.Metadata));
        var compilation = GeneratorHarness.EmptyCompilation("class A { }");
        driver = driver.RunGenerators(compilation, TestContext.Current.CancellationToken);
        Assert.Equal(2, driver.GetRunResult().GeneratedTrees.Length);

        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.First(),
            CSharpSyntaxTree.ParseText("class A { int x; int Y() => x; }", GeneratorHarness.ParseOptions, cancellationToken: TestContext.Current.CancellationToken));
        driver = driver.RunGenerators(edited, TestContext.Current.CancellationToken);
        var run = driver.GetRunResult().Results.Single();

        foreach (var step in steps)
        {
            var reasons = run.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        }
        Assert.All(run.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
                   o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void ChangingOneObjectReparsesOnlyThatObject()
    {
        var maps = ObjectInput.ForTestObject("gen_maps.bpf.c");
        var globals = ObjectInput.ForTestObject("gen_globals.bpf.c");
        var files = new[] { maps, globals }.Select(GeneratorHarness.ToAdditionalFile).ToList();
        var metadata = files.ToDictionary(f => f.Text.Path, f => f.Metadata);
        var driver = GeneratorHarness.CreateDriver(files.Select(f => f.Text), metadata);
        var compilation = GeneratorHarness.EmptyCompilation("class A { }");
        driver = driver.RunGenerators(compilation, TestContext.Current.CancellationToken);

        // A rebuilt gen_globals object (here: another object's bytes under the same path) replaces the old text.
        var replacement = new InMemoryAdditionalText(globals.Path, ObjectInput.ForTestObject("obj_features.bpf.c").Text);
        driver = driver.ReplaceAdditionalText(files[1].Text, replacement);
        driver = driver.RunGenerators(compilation, TestContext.Current.CancellationToken);
        var run = driver.GetRunResult().Results.Single();

        var models = run.TrackedSteps[SkeletonGenerator.Steps.Models].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal(1, models.Count(r => r == IncrementalStepRunReason.Cached || r == IncrementalStepRunReason.Unchanged));
        Assert.Equal(1, models.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Contains("InnerA", run.GeneratedSources.Single(s => s.HintName.Contains("GenGlobalsSkel")).SourceText.ToString());
    }

    [Fact]
    public void FilesWithoutTheEbpfObjectMetadataAreIgnored()
    {
        var input = ObjectInput.ForTestObject("gen_maps.bpf.c");
        var (text, metadata) = GeneratorHarness.ToAdditionalFile(input);
        metadata["build_metadata.AdditionalFiles.EbpfObject"] = "false";
        var other = new InMemoryAdditionalText("/src/notes.txt", "not an object");
        var driver = GeneratorHarness.CreateDriver([text, other], new Dictionary<string, Dictionary<string, string>> { [text.Path] = metadata });
        var run = driver.RunGenerators(GeneratorHarness.EmptyCompilation("class A { }"), TestContext.Current.CancellationToken).GetRunResult().Results.Single();
        Assert.Empty(run.GeneratedSources);
        Assert.Empty(run.Diagnostics);
    }
}
