namespace Ebpf.Build.Tasks.Tests;

/// <summary>
/// Errors a user sees from real builds: clang's own errors at the C file and line, a missing libbpf header
/// naming the package, and a missing clang as exactly one error naming BpfClangPath and the clang package.
/// </summary>
[Collection(RealBuilds.Name)]
public sealed class DiagnosticsBuildTests
{
    private const string Items = """
        <BpfSource Include="build_count_packets.bpf.c" />
            <BpfSource Include="$(ExtraSource)" ClangArgs="$(ExtraClangArgs)" Condition="'$(ExtraSource)' != ''" />
        """;

    [Fact]
    public void ClangErrorsMissingHeadersAndMissingClangAreReportedWhereTheUserCanAct()
    {
        using var project = TempProject.Create("diagnostics", Items, "<BpfGenerateSkeleton>false</BpfGenerateSkeleton>", referenceRuntime: false);

        // A C error: at the .bpf.c file, line and column, as an MSBuild error.
        var syntax = project.Build("-p:ExtraSource=build_syntax_error.bpf.c");
        Assert.False(syntax.Succeeded);
        var source = project.Path_("build_syntax_error.bpf.c");
        var error = Assert.Single(syntax.Errors, e => e.Contains("undeclared_identifier", StringComparison.Ordinal));
        Assert.StartsWith(source + "(6,", error);
        Assert.Contains(": error", error);
        Assert.False(File.Exists(Path.Combine(project.IntermediateBpf, "build_syntax_error.bpf.o")), "no object is left from a failed compile");

        // <bpf/bpf_helpers.h> not found (as without libbpf-dev): the error names the package.
        var header = project.Build("-p:ExtraSource=build_needs_libbpf.bpf.c", "-p:ExtraClangArgs=-nostdinc");
        Assert.False(header.Succeeded);
        var headerError = Assert.Single(header.Errors, e => e.Contains("bpf/bpf_helpers.h", StringComparison.Ordinal));
        Assert.StartsWith(project.Path_("build_needs_libbpf.bpf.c") + "(3,", headerError);
        Assert.Contains("libbpf-dev", headerError);

        // BpfClangPath pointing nowhere: one error (for two sources), naming the property and the package.
        project.Touch("build_count_packets.bpf.c");
        var badPath = project.Build("-p:ExtraSource=build_core.bpf.c", "-p:BpfClangPath=/nonexistent/clang");
        Assert.False(badPath.Succeeded);
        var clangError = Assert.Single(badPath.Errors);
        Assert.Contains("EBPF101", clangError);
        Assert.Contains("BpfClangPath", clangError);
        Assert.Contains("(Debian/Ubuntu package: clang)", clangError); // the package, not just the echoed path /nonexistent/clang

        // No clang anywhere on PATH (and no BPF_CLANG): one error saying how to install it or where to point.
        var emptyPath = Directory.CreateTempSubdirectory("ebpf-nopath-");
        try
        {
            project.Touch("build_count_packets.bpf.c");
            var noClang = DotnetCli.Run(project.Directory, ["build", "-nologo", "-v:n", "-nodeReuse:false", "-p:ExtraSource=build_core.bpf.c"],
                                        new Dictionary<string, string?> { ["PATH"] = emptyPath.FullName, ["BPF_CLANG"] = null });
            Assert.False(noClang.Succeeded);
            var missing = Assert.Single(noClang.Errors);
            Assert.Contains("EBPF101", missing);
            Assert.Contains("BpfClangPath", missing);
            Assert.Contains("apt-get install clang", missing);
            Assert.Empty(noClang.CompiledSources);
        }
        finally
        {
            emptyPath.Delete(recursive: true);
        }

        // With clang back, the same project builds.
        project.Build().EnsureSuccess();
    }
}
