using System.Security;
using Ebpf.TestKit;

namespace Ebpf.Build.Tasks.Tests;

/// <summary>
/// This repository's packages in a folder used as a NuGet source: packed with dotnet pack, and the nuget.config of a
/// project outside the repository that restores from that folder. Shared by the local-feed test and the templates' test
/// (tests/Templates.Tests links this file).
/// </summary>
public static class PackageFeed
{
    /// <summary>Ebpf.Build (task, targets, generator), Ebpf.Runtime and its dependency Ebpf.Object.</summary>
    public static readonly string[] LibraryProjects =
        ["src/MSBuild.Tasks/Ebpf.Build.Tasks.csproj", "src/Runtime/Ebpf.Runtime.csproj", "src/Object/Ebpf.Object.csproj"];

    /// <summary>
    /// Packs each project (paths relative to the repository) into <paramref name="feed"/>. With <paramref name="version"/>
    /// null the version is the repository's (Directory.Build.props).
    /// </summary>
    public static void Pack(string feed, string configuration, IEnumerable<string> projects, string? version = null)
    {
        foreach (var csproj in projects)
            DotnetCli.Run(RepoPaths.Root,
                          ["pack", csproj, "-c", configuration, "-nologo", "-nodeReuse:false", "-o", feed,
                           .. version is null ? Array.Empty<string>() : [$"-p:Version={version}"]],
                          timeout: TimeSpan.FromMinutes(10))
                     .EnsureSuccess();
    }

    /// <summary>
    /// A nuget.config with <paramref name="feed"/> as its source. With <paramref name="restoredPackages"/> (a global
    /// packages folder already holding the third-party packages at the versions of Directory.Packages.props, as building
    /// this repository leaves them) that folder is a second source for everything but Ebpf.*, which is mapped to the feed
    /// alone, so an Ebpf package restored there earlier cannot stand in for the one just packed. No network source.
    /// </summary>
    public static string NuGetConfig(string feed, string? restoredPackages = null)
    {
        var restored = restoredPackages is null ? ""
            : $"""
                  <add key="restored" value="{SecurityElement.Escape(restoredPackages)}" />
                </packageSources>
                <packageSourceMapping>
                  <packageSource key="local"><package pattern="Ebpf.*" /></packageSource>
                  <packageSource key="restored"><package pattern="*" /></packageSource>
                </packageSourceMapping>
              """;
        return $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{SecurityElement.Escape(feed)}" />
            {(restoredPackages is null ? "  </packageSources>" : restored)}
            </configuration>
            """;
    }

    /// <summary>This machine's global packages folder (NUGET_PACKAGES, else ~/.nuget/packages).</summary>
    public static string MachinePackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
}
