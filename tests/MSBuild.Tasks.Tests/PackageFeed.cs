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
    /// A nuget.config whose only source is <paramref name="feed"/>. With <paramref name="fallbackPackages"/> (a global
    /// packages folder already holding the third-party packages, at the versions of Directory.Packages.props), those
    /// are taken from there, so the restore needs no other source.
    /// </summary>
    public static string NuGetConfig(string feed, string? fallbackPackages = null)
    {
        var fallback = fallbackPackages is null ? ""
            : $"""
                <fallbackPackageFolders>
                  <clear />
                  <add key="machine" value="{SecurityElement.Escape(fallbackPackages)}" />
                </fallbackPackageFolders>
              """;
        return $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{SecurityElement.Escape(feed)}" />
              </packageSources>
            {fallback}
            </configuration>
            """;
    }
}
