using Ebpf.TestKit;

namespace Ebpf.Build.Tasks.Tests;

/// <summary>
/// A console project in a temp folder (outside the repository, so none of its Directory.Build.props apply)
/// that compiles C programs from tests/bpf with &lt;BpfSource&gt;, through the in-repo targets or the packages.
/// Deleted on dispose.
/// </summary>
public sealed class TempProject : IDisposable
{
    public const string RootNamespace = "Build.Tests.App";

    private TempProject(string directory) => Directory = directory;

    public string Directory { get; }

    public string IntermediateBpf => Path.Combine(Directory, "obj", "Debug", "net10.0", "bpf");

    public string OutputAssembly => Path.Combine(Directory, "bin", "Debug", "net10.0", "App.dll");

    public string Path_(string relative) => Path.Combine(Directory, relative);

    /// <summary>
    /// A project with the given BpfSource items (copied from tests/bpf with their headers) using the in-repo targets
    /// (<c>src/MSBuild.Tasks/InRepo.props/.targets</c>) and the runtime project, or, with <paramref name="packageVersion"/>,
    /// the Ebpf.Build and Ebpf.Runtime packages. Without <paramref name="referenceRuntime"/> a generated skeleton cannot
    /// compile: such projects set BpfGenerateSkeleton=false or never run the compiler.
    /// </summary>
    public static TempProject Create(string name, string bpfItems, string extraProperties = "", string? packageVersion = null,
                                     bool referenceRuntime = true)
    {
        var root = Path.Combine(Path.GetTempPath(), "ebpf-build-tests", RunPrefix.Value, name);
        if (System.IO.Directory.Exists(root))
            System.IO.Directory.Delete(root, recursive: true);
        System.IO.Directory.CreateDirectory(root);
        var project = new TempProject(root);

        foreach (var file in System.IO.Directory.EnumerateFiles(RepoPaths.TestBpfSources, "build_*"))
            File.Copy(file, Path.Combine(root, Path.GetFileName(file)));

        var repo = RepoPaths.Root.TrimEnd('/');
        var inRepo = packageVersion is null;
        File.WriteAllText(Path.Combine(root, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              {(inRepo ? $"<Import Project=\"{repo}/src/MSBuild.Tasks/InRepo.props\" />" : "")}
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <AssemblyName>App</AssemblyName>
                <RootNamespace>{RootNamespace}</RootNamespace>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
                {(inRepo ? $"<EbpfBuildTasksAssembly>{TaskAssemblyBesideTests}</EbpfBuildTasksAssembly>" : "")}
                {extraProperties}
              </PropertyGroup>
              <ItemGroup>
                {bpfItems}
              </ItemGroup>
              <ItemGroup>
                {(!referenceRuntime ? ""
                    : inRepo
                    ? $"<ProjectReference Include=\"{repo}/src/Runtime/Ebpf.Runtime.csproj\" />"
                    : $"<PackageReference Include=\"Ebpf.Build\" Version=\"{packageVersion}\" PrivateAssets=\"all\" />\n    <PackageReference Include=\"Ebpf.Runtime\" Version=\"{packageVersion}\" />")}
              </ItemGroup>
              {(inRepo ? $"<Import Project=\"{repo}/src/MSBuild.Tasks/InRepo.targets\" />" : "")}
            </Project>
            """);
        File.WriteAllText(Path.Combine(root, "Program.cs"), "System.Console.WriteLine(\"ok\");\n");
        return project;
    }

    /// <summary>
    /// The task dll this test assembly was built with (it references the task project, so the dll and CliWrap sit
    /// beside the tests). InRepo.props would point at src/MSBuild.Tasks/bin/$(Configuration), which a target run
    /// on its own (-t:BpfCompile, design-time builds with BuildProjectReferences=false) never builds, and which
    /// does not exist for Debug when the suite was built in Release.
    /// </summary>
    private static string TaskAssemblyBesideTests => Path.Combine(AppContext.BaseDirectory, "Ebpf.Build.Tasks.dll");

    public DotnetResult Build(params string[] extra) => DotnetCli.Build(Directory, extra);

    /// <summary>Marks a file changed (a later timestamp than any output of the previous build).</summary>
    public void Touch(string relative)
    {
        var path = Path_(relative);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(2));
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
            // The run's folder goes with its last project.
            var runRoot = Path.GetDirectoryName(Directory)!;
            if (!System.IO.Directory.EnumerateFileSystemEntries(runRoot).Any())
                System.IO.Directory.Delete(runRoot);
        }
        catch (IOException) { }
    }
}
