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

    /// <summary>The example applications' objects (compiled here from examples/*/x.bpf.c with the build's flags)
    /// generate without errors; their types compile on their own and the whole skeleton against the runtime.</summary>
    [Theory]
    [MemberData(nameof(Examples))]
    public void ExampleObjectSkeletonsCompile(string example)
    {
        var source = Path.Combine(RepoPaths.Root, "examples", example, example + ".bpf.c");
        var dir = Directory.CreateTempSubdirectory("ebpf-gen-example-");
        try
        {
            var output = Path.Combine(dir.FullName, example + ".bpf.o");
            HostCommand.Run("clang", ["-target", "bpfel", "-g", "-O2", "-D__TARGET_ARCH_x86", "-I", Path.GetDirectoryName(source)!,
                                      "-I", "/usr/include/x86_64-linux-gnu", "-c", source, "-o", output]).EnsureSuccess();
            var input = ObjectInput.FromBytes(File.ReadAllBytes(output), example, "ExampleSkel", "Example", source);
            var result = GeneratorHarness.Run(input);
            Assert.Empty(result.Errors);
            var model = Models.Parse(input);
            var typeProblems = TestCompiler.Problems(TestCompiler.Create("Types", withRuntime: false, Emitting.SkeletonEmitter.EmitTypesOnly(model)));
            Assert.True(typeProblems.Count == 0, string.Join("\n", typeProblems));
            var problems = TestCompiler.Problems(TestCompiler.Create("Example", withRuntime: true, result.SingleSource));
            Assert.True(problems.Count == 0, $"{problems.Count} problems compiling the {example} skeleton:\n" + string.Join("\n", problems.Take(40)));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Every other team's test object (tests/bpf/*.bpf.c that clang compiles with the standard flags) gets a
    /// skeleton without generator errors that compiles against the runtime: a wide net of real-world shapes.</summary>
    [Fact]
    public void EveryTestObjectInTheRepositoryGetsACompilingSkeleton()
    {
        var compiled = 0;
        var notCompiled = new List<string>();
        foreach (var path in Directory.EnumerateFiles(RepoPaths.TestBpfSources, "*.bpf.c").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            byte[] bytes;
            try
            {
                bytes = TestObjects.Bytes(name);
            }
            catch (InvalidOperationException)
            {
                notCompiled.Add(name); // deliberately broken C (syntax errors) or needing extra include paths
                continue;
            }
            var stem = name[..name.IndexOf('.')];
            var result = GeneratorHarness.Run(ObjectInput.FromBytes(bytes, stem, "Skel", "Objects." + stem.Replace('-', '_'), path));
            var errors = result.Errors.Where(d => d.Id != "EBPF002").ToList(); // objects made to be rejected by the reader
            Assert.True(errors.Count == 0, $"{name}: " + string.Join("\n", errors));
            if (result.Sources.Count == 0)
                continue;
            var problems = TestCompiler.Problems(TestCompiler.Create("Object", withRuntime: true, result.SingleSource));
            Assert.True(problems.Count == 0, $"{name}: {problems.Count} problems:\n" + string.Join("\n", problems.Take(20)));
            compiled++;
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{compiled} skeletons compiled; not compilable with the standard flags: {string.Join(", ", notCompiled)}");
        Assert.True(compiled >= 10, $"only {compiled} objects produced a skeleton");
    }
}
