using System.Text.RegularExpressions;

namespace Ebpf.Build.Tasks.Tests;

/// <summary>
/// One project through a sequence of real builds (the in-repo targets): the first build hands both objects
/// to the generator and embeds them; a no-change build runs no clang; a header edit recompiles only the
/// object that includes it; removing a BpfSource prunes its outputs; dotnet clean removes everything.
/// </summary>
[Collection(RealBuilds.Name)]
public sealed class IncrementalBuildTests
{
    private const string Items = """
        <BpfSource Include="build_count_packets.bpf.c" />
            <BpfSource Include="build_core.bpf.c" Condition="'$(WithCore)' != 'false'" />
        """;

    [Fact]
    public void BuildsHandOffSkipRebuildAndPrune()
    {
        using var project = TempProject.Create("incremental", Items, "<BpfGenerateVmlinuxHeader>true</BpfGenerateVmlinuxHeader>");
        var bpf = project.IntermediateBpf;
        string Out(string name) => Path.Combine(bpf, name);

        // 1. First build: both objects compiled, vmlinux.h written, hand-off per docs/build-contract.md.
        var first = project.Build().EnsureSuccess();
        Assert.Equal(["build_core.bpf.c", "build_count_packets.bpf.c"], first.CompiledSources);
        Assert.Contains("Ebpf.Build: writing vmlinux.h", first.Output);
        Assert.True(File.Exists(Path.Combine(bpf, "include", "vmlinux.h")));
        foreach (var name in new[] { "build_count_packets", "build_core" })
        {
            var obj = File.ReadAllBytes(Out(name + ".bpf.o"));
            Assert.Equal(Convert.ToBase64String(obj), File.ReadAllText(Out(name + ".bpf.o.b64")));
            Assert.True(File.Exists(Out(name + ".bpf.d")));
        }
        HandOff.AssertEditorConfig(project, "build_count_packets", "BuildCountPacketsSkel");
        HandOff.AssertEditorConfig(project, "build_core", "BuildCoreSkel");
        var assembly = BuiltAssembly.Read(project.OutputAssembly);
        Assert.Equal(File.ReadAllBytes(Out("build_count_packets.bpf.o")), assembly.Resources["Ebpf.Objects.build_count_packets.bpf.o"]);
        Assert.Equal(File.ReadAllBytes(Out("build_core.bpf.o")), assembly.Resources["Ebpf.Objects.build_core.bpf.o"]);
        Assert.Contains(TempProject.RootNamespace + ".BuildCountPacketsSkel", assembly.TypeNames);
        Assert.Contains(TempProject.RootNamespace + ".BuildCoreSkel", assembly.TypeNames);

        // 2. Nothing changed: no clang, no vmlinux.h.
        var second = project.Build().EnsureSuccess();
        Assert.Empty(second.CompiledSources);
        Assert.DoesNotContain("Ebpf.Build: writing vmlinux.h", second.Output);
        Assert.Matches(new Regex("Skipping target \"_BpfCompileObjects\" because all output files are up-to-date"), second.Output);

        // 3. A header only build_count_packets.bpf.c includes: that object alone is rebuilt.
        project.Touch("build_common.h");
        var third = project.Build().EnsureSuccess();
        Assert.Equal(["build_count_packets.bpf.c"], third.CompiledSources);

        // 4. build_core.bpf.c removed from the project: its outputs go, the assembly no longer embeds it.
        var fourth = project.Build("-p:WithCore=false").EnsureSuccess();
        Assert.Empty(fourth.CompiledSources);
        foreach (var suffix in new[] { ".bpf.o", ".bpf.o.b64", ".bpf.d", ".bpf.flags" })
            Assert.False(File.Exists(Out("build_core" + suffix)), "stale output kept: build_core" + suffix);
        Assert.True(File.Exists(Out("build_count_packets.bpf.o")));
        assembly = BuiltAssembly.Read(project.OutputAssembly);
        Assert.False(assembly.Resources.ContainsKey("Ebpf.Objects.build_core.bpf.o"));
        Assert.DoesNotContain(TempProject.RootNamespace + ".BuildCoreSkel", assembly.TypeNames);

        // 5. dotnet clean removes every output of the BPF build (FileWrites).
        DotnetCli.Run(project.Directory, ["clean", "-nologo", "-nodeReuse:false", "-p:WithCore=false"]).EnsureSuccess();
        var left = Directory.Exists(bpf) ? Directory.EnumerateFiles(bpf, "*", SearchOption.AllDirectories).ToList() : [];
        Assert.True(left.Count == 0, "left after clean: " + string.Join(", ", left));
    }
}
