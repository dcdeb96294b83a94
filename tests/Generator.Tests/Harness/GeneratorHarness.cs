using System.Collections.Immutable;
using Ebpf.Object;
using Ebpf.TestKit;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Ebpf.Generator.Tests.Harness;

/// <summary>One object as the Ebpf.Build targets hand it to the generator: the base64 text and its item metadata.</summary>
public sealed record ObjectInput(string Path, string Text, string SkeletonName, string Namespace, string ResourceName, string SourceFile)
{
    /// <summary>The Types metadata (names separated by ';'); empty = not set.</summary>
    public string Types { get; init; } = "";

    /// <summary>The Access metadata ("public", "internal"); empty = not set.</summary>
    public string Access { get; init; } = "";

    /// <summary>A test object from tests/bpf, with the metadata the build task would set.</summary>
    public static ObjectInput ForTestObject(string cFile, string? skeletonName = null, string ns = "Ebpf.Generator.Tests.Golden")
    {
        var bytes = TestObjects.Bytes(cFile);
        var stem = cFile[..cFile.IndexOf('.')];
        return FromBytes(bytes, stem, skeletonName ?? SkeletonNames.FromFileName(cFile), ns, System.IO.Path.Combine(RepoPaths.TestBpfSources, cFile));
    }

    public static ObjectInput FromBytes(byte[] bytes, string stem, string skeletonName, string ns = "Test", string? sourceFile = null) =>
        new($"/obj/bpf/{stem}.bpf.o.b64", Convert.ToBase64String(bytes), skeletonName, ns, $"Ebpf.Objects.{stem}.bpf.o",
            sourceFile ?? $"/src/{stem}.bpf.c");
}

public sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
}

/// <summary>Analyzer config options as MSBuild produces them from CompilerVisibleItemMetadata.</summary>
public sealed class TestOptionsProvider(IReadOnlyDictionary<string, Dictionary<string, string>> perFile) : AnalyzerConfigOptionsProvider
{
    public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(new Dictionary<string, string>());

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(new Dictionary<string, string>());

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
        new Options(perFile.TryGetValue(textFile.Path, out var values) ? values : new Dictionary<string, string>());

    private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }
}

/// <summary>Runs <see cref="SkeletonGenerator"/> through Roslyn's driver, as the compiler does.</summary>
public static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    public static CSharpCompilation EmptyCompilation(params string[] sources) =>
        CSharpCompilation.Create("GeneratorTest", sources.Select(s => CSharpSyntaxTree.ParseText(s, ParseOptions)),
                                 TestCompiler.References(withRuntime: false), TestCompiler.Options);

    public static (AdditionalText Text, Dictionary<string, string> Metadata) ToAdditionalFile(ObjectInput input) =>
        (new InMemoryAdditionalText(input.Path, input.Text), new Dictionary<string, string>
        {
            ["build_metadata.AdditionalFiles.EbpfObject"] = "true",
            ["build_metadata.AdditionalFiles.EbpfSkeletonName"] = input.SkeletonName,
            ["build_metadata.AdditionalFiles.EbpfNamespace"] = input.Namespace,
            ["build_metadata.AdditionalFiles.EbpfResourceName"] = input.ResourceName,
            ["build_metadata.AdditionalFiles.EbpfSourceFile"] = input.SourceFile,
            ["build_metadata.AdditionalFiles.EbpfTypes"] = input.Types,
            ["build_metadata.AdditionalFiles.EbpfAccess"] = input.Access,
        });

    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText> texts, IReadOnlyDictionary<string, Dictionary<string, string>> metadata) =>
        CSharpGeneratorDriver.Create(
            new[] { new SkeletonGenerator().AsSourceGenerator() },
            texts,
            ParseOptions,
            new TestOptionsProvider(metadata),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator over the inputs; returns the generated sources (by hint name) and the diagnostics.</summary>
    public static GeneratorResult Run(params ObjectInput[] inputs)
    {
        var files = inputs.Select(ToAdditionalFile).ToList();
        var driver = CreateDriver(files.Select(f => f.Text), files.ToDictionary(f => f.Text.Path, f => f.Metadata));
        driver = driver.RunGenerators(EmptyCompilation("class Placeholder { }"), TestContext.Current.CancellationToken);
        var result = driver.GetRunResult();
        var single = result.Results.Single();
        if (single.Exception is not null)
            throw new InvalidOperationException("the generator threw", single.Exception);
        return new GeneratorResult(single.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString()), single.Diagnostics);
    }
}

public sealed record GeneratorResult(Dictionary<string, string> Sources, ImmutableArray<Diagnostic> Diagnostics)
{
    public string SingleSource => Sources.Values.Single();

    public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.DefaultSeverity == DiagnosticSeverity.Error);
}
