namespace Ebpf.Build.Tasks.Tests;

/// <summary>
/// Objects do not depend on where the project is (-ffile-prefix-map), and a design-time build (what an IDE
/// runs in the background) compiles the objects and passes the same hand-off to the compiler.
/// </summary>
[Collection(RealBuilds.Name)]
public sealed class ReproducibilityTests
{
    private const string Items = """<BpfSource Include="build_count_packets.bpf.c" />""";

    [Fact]
    public void TwoCopiesInDifferentFoldersProduceIdenticalObjects()
    {
        using var a = TempProject.Create("copy-a", Items, referenceRuntime: false);
        using var b = TempProject.Create("elsewhere-copy-b", Items, referenceRuntime: false);
        foreach (var p in new[] { a, b })
            DotnetCli.Run(p.Directory, ["msbuild", "-restore", "-nologo", "-v:n", "-nodeReuse:false", "-t:BpfCompile"]).EnsureSuccess();
        var objA = File.ReadAllBytes(Path.Combine(a.IntermediateBpf, "build_count_packets.bpf.o"));
        var objB = File.ReadAllBytes(Path.Combine(b.IntermediateBpf, "build_count_packets.bpf.o"));
        Assert.Equal(objA, objB);
        Assert.DoesNotContain(a.Directory, System.Text.Encoding.Latin1.GetString(objA));
    }

    [Fact]
    public void DesignTimeBuildHandsTheObjectToTheCompiler()
    {
        using var project = TempProject.Create("design-time", Items, referenceRuntime: false);
        var result = DotnetCli.Run(project.Directory,
        [
            "msbuild", "-restore", "-nologo", "-nodeReuse:false", "-t:CoreCompile",
            "-p:DesignTimeBuild=true", "-p:SkipCompilerExecution=true", "-p:ProvideCommandLineArgs=true", "-p:BuildProjectReferences=false",
            "-getItem:CscCommandLineArgs",
        ]).EnsureSuccess();
        var b64 = Path.Combine(project.IntermediateBpf, "build_count_packets.bpf.o.b64");
        Assert.True(File.Exists(b64));
        Assert.Contains("/additionalfile:" + b64, result.Output);
        HandOff.AssertEditorConfig(project, "build_count_packets", "BuildCountPacketsSkel");
    }
}
