using System.Xml.Linq;
using Ebpf.TestKit;

namespace Ebpf.Templates.Tests;

/// <summary>
/// The templates' project files, as written in templates/: Ebpf.* at the version the packing fills in, every other
/// package at the version this repository pins in Directory.Packages.props (so a new project gets what the repository
/// is tested with, and the template test restores them from the machine's packages folder).
/// </summary>
public sealed class TemplateVersionTests
{
    [Fact]
    public void Template_projects_reference_the_packed_Ebpf_version_and_the_repository_s_other_versions()
    {
        var pinned = XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);
        var projects = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "templates"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.EndsWith("Ebpf.Templates.csproj", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(6, projects.Count);   // an app and a test project per template
        foreach (var project in projects)
            foreach (var reference in XDocument.Load(project).Descendants("PackageReference"))
            {
                var id = (string)reference.Attribute("Include")!;
                var version = (string?)reference.Attribute("Version");
                var expected = id.StartsWith("Ebpf.", StringComparison.Ordinal) ? "EBPF_PACKAGE_VERSION"
                    : pinned.GetValueOrDefault(id) ?? throw new Xunit.Sdk.XunitException($"{project}: {id} is not pinned in Directory.Packages.props");
                Assert.True(expected == version, $"{project}: {id} is at {version}, expected {expected}");
            }
    }
}
