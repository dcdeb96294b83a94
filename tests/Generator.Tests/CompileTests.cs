using Ebpf.Generator.Tests.Harness;
using Ebpf.TestKit;

namespace Ebpf.Generator.Tests;

/// <summary>
/// Generated skeletons compile warning-free (nullable on, warnings as errors, XML docs checked) against the
/// real Ebpf.Runtime assembly, together with code that uses them the way docs/skeletons.md shows.
/// </summary>
public class CompileTests
{
    public static TheoryData<string> Objects => new() { "gen_maps.bpf.c", "gen_globals.bpf.c", "obj_features.bpf.c" };

    [Theory]
    [MemberData(nameof(Objects))]
    public void SkeletonCompilesWarningFreeAgainstTheRuntime(string cFile)
    {
        var source = GeneratorHarness.Run(ObjectInput.ForTestObject(cFile)).SingleSource;
        var usage = Path.Combine(RepoPaths.Root, "tests", "Generator.Tests", "Usage", cFile.Replace(".bpf.c", ".usage.cs"));
        var sources = File.Exists(usage) ? new[] { source, File.ReadAllText(usage) } : new[] { source };
        var problems = TestCompiler.Problems(TestCompiler.Create("Skeleton", withRuntime: true, sources));
        Assert.True(problems.Count == 0, $"{problems.Count} problems compiling the skeleton of {cFile}:\n" + string.Join("\n", problems.Take(40)));
    }

    [Theory]
    [MemberData(nameof(Objects))]
    public void GeneratedTypesCompileWarningFreeOnTheirOwn(string cFile)
    {
        var model = Models.Parse(ObjectInput.ForTestObject(cFile));
        var problems = TestCompiler.Problems(TestCompiler.Create("Types", withRuntime: false, Emitting.SkeletonEmitter.EmitTypesOnly(model)));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    public static TheoryData<string> Examples => new() { "sockredir", "xdp-proxy" };

    /// <summary>The example applications' objects (compiled here from examples/*/x.bpf.c with the build task's command line)
    /// generate without errors; their types compile on their own and the whole skeleton against the runtime.</summary>
    [Theory]
    [MemberData(nameof(Examples))]
    public void ExampleObjectSkeletonsCompile(string example)
    {
        var source = Path.Combine(RepoPaths.Root, "examples", example, example + ".bpf.c");
        var input = ObjectInput.FromBytes(File.ReadAllBytes(TestObjects.CompileFile(source)), example, "ExampleSkel", "Example", source);
        var result = GeneratorHarness.Run(input);
        Assert.Empty(result.Errors);
        var model = Models.Parse(input);
        var typeProblems = TestCompiler.Problems(TestCompiler.Create("Types", withRuntime: false, Emitting.SkeletonEmitter.EmitTypesOnly(model)));
        Assert.True(typeProblems.Count == 0, string.Join("\n", typeProblems));
        var problems = TestCompiler.Problems(TestCompiler.Create("Example", withRuntime: true, result.SingleSource));
        Assert.True(problems.Count == 0, $"{problems.Count} problems compiling the {example} skeleton:\n" + string.Join("\n", problems.Take(40)));
    }

    /// <summary>Test objects that do not compile with the build's command line, each on purpose.</summary>
    private static readonly Dictionary<string, string> notCompilable = new()
    {
        ["build_syntax_error.bpf.c"] = "deliberately broken C: the MSBuild.Tasks tests check that clang's error lands at its file and line",
        ["build_needs_libbpf.bpf.c"] = "includes <bpf/bpf_helpers.h> without <linux/types.h>, for the missing-libbpf diagnostic test",
    };

    /// <summary>Every test object in the repository (tests/bpf/*.bpf.c) compiles with the build's command line and
    /// gets a skeleton without generator errors that compiles against the runtime: a wide net of real-world shapes.
    /// The few that must not compile are named above with the reason, and must indeed fail.</summary>
    [Fact]
    public void EveryTestObjectInTheRepositoryGetsACompilingSkeleton()
    {
        var sources = Directory.EnumerateFiles(RepoPaths.TestBpfSources, "*.bpf.c").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToList();
        Assert.All(notCompilable.Keys, name => Assert.Contains(name, sources));
        var compiled = 0;
        foreach (var name in sources)
        {
            if (notCompilable.TryGetValue(name, out var why))
            {
                Assert.True(Throws(() => TestObjects.Compile(name)), $"{name} compiles now, but is listed as not compilable ({why}): take it off the list");
                continue;
            }
            var path = Path.Combine(RepoPaths.TestBpfSources, name);
            var stem = name[..name.IndexOf('.')];
            var result = GeneratorHarness.Run(ObjectInput.FromBytes(TestObjects.Bytes(name), stem, "Skel", "Objects." + stem.Replace('-', '_'), path));
            Assert.True(!result.Errors.Any(), $"{name}: " + string.Join("\n", result.Errors));
            var problems = TestCompiler.Problems(TestCompiler.Create("Object", withRuntime: true, result.SingleSource));
            Assert.True(problems.Count == 0, $"{name}: {problems.Count} problems:\n" + string.Join("\n", problems.Take(20)));
            compiled++;
        }
        Assert.Equal(sources.Count - notCompilable.Count, compiled);
        TestContext.Current.TestOutputHelper?.WriteLine($"{compiled} skeletons compiled; not compilable on purpose: {string.Join(", ", notCompilable.Keys)}");
    }

    private static bool Throws(Action action)
    {
        try
        {
            action();
            return false;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }
}
