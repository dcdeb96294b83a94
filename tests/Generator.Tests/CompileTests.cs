using Ebpf.Generator.Tests.Harness;
using Ebpf.TestKit;

namespace Ebpf.Generator.Tests;

/// <summary>
/// Generated skeletons compile warning-free (nullable on, warnings as errors, XML docs checked) against the
/// real Ebpf.Runtime assembly, together with code that uses them the way docs/skeletons.md shows.
/// </summary>
public class CompileTests
{
    [Theory]
    [MemberData(nameof(GoldenTests.Objects), MemberType = typeof(GoldenTests))]
    public void SkeletonCompilesWarningFreeAgainstTheRuntime(string cFile)
    {
        var source = GeneratorHarness.Run(ObjectInput.ForTestObject(cFile)).SingleSource;
        var usage = Path.Combine(RepoPaths.Root, "tests", "Generator.Tests", "Usage", cFile.Replace(".bpf.c", ".usage.cs"));
        var sources = File.Exists(usage) ? new[] { source, File.ReadAllText(usage) } : new[] { source };
        var problems = TestCompiler.Problems(TestCompiler.Create("Skeleton", withRuntime: true, sources));
        Assert.True(problems.Count == 0, $"{problems.Count} problems compiling the skeleton of {cFile}:\n" + string.Join("\n", problems.Take(40)));
    }

    [Theory]
    [MemberData(nameof(GoldenTests.Objects), MemberType = typeof(GoldenTests))]
    public void GeneratedTypesCompileWarningFreeOnTheirOwn(string cFile)
    {
        var model = Models.Parse(ObjectInput.ForTestObject(cFile));
        var problems = TestCompiler.Problems(TestCompiler.Create("Types", withRuntime: false, Emitting.SkeletonEmitter.EmitTypesOnly(model)));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
