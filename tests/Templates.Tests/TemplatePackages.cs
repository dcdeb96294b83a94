using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Ebpf.Build.Tasks.Tests;
using Ebpf.TestKit;

namespace Ebpf.Templates.Tests;

/// <summary>The template tests share one packing and one template hive, and run one at a time (2 cores, real builds).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TemplateRuns : ICollectionFixture<TemplatePackages>
{
    public const string Name = "template runs";
}

/// <summary>
/// Packs Ebpf.Build, Ebpf.Runtime, Ebpf.Object, Ebpf.Testing and Ebpf.Templates into artifacts/packages (the
/// repository's package folder, at the repository's version) and installs Ebpf.Templates from there into a template
/// hive of its own (<c>--debug:custom-hive</c>), so the machine's `dotnet new` is untouched. Everything else lives in a
/// work folder outside the repository, deleted at the end: the hive, a nuget.config whose only source is
/// artifacts/packages, a private packages folder (so the packages just packed are restored, never an older build
/// cached under the same version) and the instantiated templates.
/// </summary>
public sealed class TemplatePackages : IDisposable
{
    public static readonly string[] PackedProjects =
        [.. PackageFeed.LibraryProjects, "src/Testing/Ebpf.Testing.csproj", "templates/Ebpf.Templates.csproj"];

    public TemplatePackages()
    {
        Feed = Path.Combine(RepoPaths.Root, "artifacts", "packages");
        var runs = Path.Combine(Path.GetTempPath(), "ebpf-templates-tests");
        WorkRoot = Path.Combine(runs, RunPrefix.Value);
        // Work folders of runs that were killed before their cleanup.
        if (Directory.Exists(runs))
            foreach (var dead in Directory.EnumerateDirectories(runs).Where(d => RunPrefix.IsLeftover(Path.GetFileName(d))))
                Directory.Delete(dead, recursive: true);
        if (Directory.Exists(WorkRoot))
            Directory.Delete(WorkRoot, recursive: true);
        Directory.CreateDirectory(WorkRoot);
        try
        {
            Version = DotnetCli.Run(RepoPaths.Root, ["msbuild", "templates/Ebpf.Templates.csproj", "-nologo", "-getProperty:Version"])
                               .EnsureSuccess().Output.Trim();
            // The configuration this test assembly was built in: its build has just built the same projects.
            var configuration = typeof(TemplatePackages).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            PackageFeed.Pack(Feed, configuration, PackedProjects);

            // Third-party packages (System.CommandLine, xunit) come from the machine's global packages folder, where building
            // this repository put them at the versions the templates use (TemplateVersionTests checks they agree).
            File.WriteAllText(Path.Combine(WorkRoot, "nuget.config"), PackageFeed.NuGetConfig(Feed, PackageFeed.MachinePackagesFolder()));

            var install = DotnetCli.Run(WorkRoot, ["new", "install", TemplatePackage, "--debug:custom-hive", Hive]).EnsureSuccess();
            InstallOutput = install.Output;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The repository's package version; the templates reference Ebpf.* at this version.</summary>
    public string Version { get; } = "";

    /// <summary>artifacts/packages.</summary>
    public string Feed { get; }

    public string WorkRoot { get; }

    public string Hive => Path.Combine(WorkRoot, "hive");

    public string PackagesFolder => Path.Combine(WorkRoot, "packages");

    public string TemplatePackage => Path.Combine(Feed, $"Ebpf.Templates.{Version}.nupkg");

    /// <summary>What `dotnet new install` printed (the table of the installed templates).</summary>
    public string InstallOutput { get; } = "";

    /// <summary>The environment of every dotnet command on an instance: the private packages folder.</summary>
    public IDictionary<string, string?> Environment_ => new Dictionary<string, string?> { ["NUGET_PACKAGES"] = PackagesFolder };

    /// <summary>`dotnet new <paramref name="shortName"/> -n <paramref name="name"/>` in a fresh folder of the work root.</summary>
    public TemplateInstance Instantiate(string shortName, string name)
    {
        var parent = Path.Combine(WorkRoot, shortName);
        if (Directory.Exists(parent))
            Directory.Delete(parent, recursive: true);
        Directory.CreateDirectory(parent);
        DotnetCli.Run(parent, ["new", shortName, "-n", name, "--debug:custom-hive", Hive, "--no-update-check"]).EnsureSuccess();
        return new TemplateInstance(this, Path.Combine(parent, name), name);
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(WorkRoot))
                Directory.Delete(WorkRoot, recursive: true);
            var runs = Path.GetDirectoryName(WorkRoot)!;
            if (Directory.Exists(runs) && !Directory.EnumerateFileSystemEntries(runs).Any())
                Directory.Delete(runs);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One instantiated template: its folder (a solution with the app and its test project), build and test.</summary>
public sealed class TemplateInstance(TemplatePackages packages, string directory, string name) : IDisposable
{
    public string Directory { get; } = directory;

    public string Name { get; } = name;

    public string AppProject => Path.Combine(Directory, Name, Name + ".csproj");

    public string TestProject => Path.Combine(Directory, Name + ".Tests", Name + ".Tests.csproj");

    /// <summary>The app's dll after <see cref="Build"/> (run with dotnet).</summary>
    public string AppDll => Path.Combine(Directory, Name, "bin", "Debug", "net10.0", Name + ".dll");

    /// <summary>The Ebpf.* package references of the instance's projects: the packed version, filled in by the template.</summary>
    public void AssertReferencesPackagesAt(string version)
    {
        var references = System.IO.Directory.EnumerateFiles(Directory, "*.csproj", SearchOption.AllDirectories)
            .SelectMany(p => XDocument.Load(p).Descendants("PackageReference"))
            .Where(r => ((string?)r.Attribute("Include"))?.StartsWith("Ebpf.", StringComparison.Ordinal) == true)
            .ToList();
        Assert.NotEmpty(references);
        Assert.All(references, r => Assert.Equal(version, (string?)r.Attribute("Version")));
    }

    /// <summary>`dotnet build` of the instance's solution, as a user would after `dotnet new`.</summary>
    public DotnetResult Build() =>
        DotnetCli.Run(Directory, ["build", "-nologo", "-nodeReuse:false"], packages.Environment_, TimeSpan.FromMinutes(8)).EnsureSuccess();

    /// <summary>
    /// `dotnet test` of the built solution with EBPF_TESTS_REQUIRED=1, so a test that cannot run fails instead of
    /// skipping; returns the passed count after checking that none failed or skipped.
    /// </summary>
    public int Test()
    {
        var env = new Dictionary<string, string?>(packages.Environment_) { ["EBPF_TESTS_REQUIRED"] = "1" };
        // No -nologo: with Microsoft.Testing.Platform, dotnet test hands unknown options to the test program, which
        // then runs nothing.
        var result = DotnetCli.Run(Directory, ["test", "--no-build", "--output", "detailed"], env, TimeSpan.FromMinutes(5)).EnsureSuccess();
        // Microsoft.Testing.Platform's summary (the templates' global.json selects it for dotnet test).
        int Count(string name)
        {
            var m = Regex.Match(result.Output, $@"^\s*{name}:\s*(\d+)\s*$", RegexOptions.Multiline);
            Assert.True(m.Success, $"no '{name}:' in the test summary of dotnet test:\n{result.Output}");
            return int.Parse(m.Groups[1].Value);
        }
        Assert.Equal(0, Count("failed"));
        Assert.Equal(0, Count("skipped"));
        Assert.Equal(Count("total"), Count("succeeded"));
        return Count("succeeded");
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Path.GetDirectoryName(Directory)!, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
