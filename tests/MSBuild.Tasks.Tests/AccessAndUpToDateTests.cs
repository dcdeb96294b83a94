using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;

namespace Ebpf.Build.Tasks.Tests;

/// <summary>
/// Two item-level conveniences, through real builds: <c>Access="internal"</c> makes the skeleton (and so everything
/// nested in it) internal; the sources and the headers they include are <c>UpToDateCheckInput</c> items, so Visual
/// Studio's fast up-to-date check sees a changed .bpf.c or header.
/// </summary>
[Collection(RealBuilds.Name)]
public sealed class AccessAndUpToDateTests
{
    private const string Items = """<BpfSource Include="build_count_packets.bpf.c" Access="$(BpfAccess)" />""";

    [Fact]
    public void AccessInternalMakesTheSkeletonInternalAndOtherValuesAreErrors()
    {
        using var project = TempProject.Create("access", Items);
        File.WriteAllText(project.Path_("Program.cs"), """
            using Build.Tests.App;
            System.Console.WriteLine(BuildCountPacketsSkel.ResourceName);
            """);

        // Default: public, as before.
        project.Build().EnsureSuccess();
        Assert.Equal(TypeAttributes.Public, Visibility(project.OutputAssembly, "BuildCountPacketsSkel"));

        // internal: the class is internal, its nested types public inside it, so none is visible outside the assembly.
        project.Build("-p:BpfAccess=internal").EnsureSuccess();
        Assert.Contains("internal sealed partial class BuildCountPacketsSkel : global::System.IDisposable", Generated(project));
        Assert.Equal(TypeAttributes.NotPublic, Visibility(project.OutputAssembly, "BuildCountPacketsSkel"));
        var nested = NestedTypes(project.OutputAssembly, "BuildCountPacketsSkel");
        Assert.Contains("MapSet", nested);
        Assert.Contains("ProgramSet", nested);

        // Case does not matter; anything else is an error at the project that declares the item.
        project.Build("-p:BpfAccess=Internal").EnsureSuccess();
        var bad = project.Build("-p:BpfAccess=private");
        Assert.False(bad.Succeeded);
        var error = Assert.Single(bad.Errors);
        Assert.StartsWith(project.Path_("App.csproj") + " : error EBPF110:", error);
        Assert.Contains("Access is 'private'", error);
        Assert.Contains("public or internal", error);
    }

    [Fact]
    public void SourcesAndTheirHeadersAreUpToDateCheckInputs()
    {
        using var project = TempProject.Create("uptodate", """<BpfSource Include="build_count_packets.bpf.c" />""");
        var source = project.Path_("build_count_packets.bpf.c");
        var header = project.Path_("build_common.h");

        // Evaluation alone: the source (nothing compiled yet, so the headers are not known).
        Assert.Contains(source, UpToDateCheckInputs(project, target: null));

        // After a build, the design-time collection adds every header the last compile read (from clang's .d file).
        project.Build().EnsureSuccess();
        var inputs = UpToDateCheckInputs(project, "BpfCollectUpToDateCheckInput");
        Assert.Contains(source, inputs);
        Assert.Contains(header, inputs);
        Assert.Contains(inputs, i => i.EndsWith("/bpf/bpf_helpers.h", StringComparison.Ordinal));
        Assert.Equal(inputs.Distinct().Count(), inputs.Count);
    }

    private static string Generated(TempProject project) =>
        File.ReadAllText(Path.Combine(project.Directory, "obj", "Debug", "net10.0", "generated", "Ebpf.Generator",
                                      "Ebpf.Generator.SkeletonGenerator", TempProject.RootNamespace + ".BuildCountPacketsSkel.g.cs"));

    /// <summary>The items as MSBuild reports them with -getItem (after running <paramref name="target"/>, if any).</summary>
    private static List<string> UpToDateCheckInputs(TempProject project, string? target)
    {
        string[] args = target is null
            ? ["msbuild", "-nologo", "-getItem:UpToDateCheckInput"]
            : ["msbuild", "-nologo", "-nodeReuse:false", "-t:" + target, "-getItem:UpToDateCheckInput"];
        var result = DotnetCli.Run(project.Directory, args).EnsureSuccess();
        var json = result.Output[result.Output.IndexOf('{')..];
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("Items").GetProperty("UpToDateCheckInput").EnumerateArray()
                  .Select(i => i.GetProperty("FullPath").GetString()!).ToList();
    }

    private static TypeAttributes Visibility(string assembly, string name)
    {
        using var pe = new PEReader(File.OpenRead(assembly));
        var md = pe.GetMetadataReader();
        var type = md.TypeDefinitions.Select(md.GetTypeDefinition).Single(t => md.GetString(t.Name) == name && t.GetDeclaringType().IsNil);
        return type.Attributes & TypeAttributes.VisibilityMask;
    }

    private static List<string> NestedTypes(string assembly, string name)
    {
        using var pe = new PEReader(File.OpenRead(assembly));
        var md = pe.GetMetadataReader();
        var type = md.TypeDefinitions.Select(md.GetTypeDefinition).Single(t => md.GetString(t.Name) == name && t.GetDeclaringType().IsNil);
        return type.GetNestedTypes().Select(h => md.GetString(md.GetTypeDefinition(h).Name)).ToList();
    }
}
