using System.IO.Compression;
using System.Text.RegularExpressions;
using Ebpf.TestKit;

namespace Ebpf.Build.Tasks.Tests;

/// <summary>
/// The test kit as a new user gets it: dotnet pack writes Ebpf.Testing beside Ebpf.Build, Ebpf.Runtime and Ebpf.Object;
/// a fresh xunit v3 test project outside the repository references the four from a local feed, compiles a BpfSource,
/// and its [BpfFact] test-runs the program on a built frame (as root; it skips with the reason otherwise).
/// </summary>
[Collection(RealBuilds.Name)]
public sealed class TestingPackageFlowTests
{
    private const string Version = "0.1.0";

    [Fact]
    public void A_fresh_test_project_references_Ebpf_Testing_from_a_local_feed_and_its_BpfFact_runs()
    {
        var feed = Directory.CreateTempSubdirectory("ebpf-feed-");
        var packages = Directory.CreateTempSubdirectory("ebpf-nuget-packages-");
        var project = Path.Combine(Path.GetTempPath(), "ebpf-build-tests", RunPrefix.Value, "testing-consumer");
        try
        {
            PackageFeed.Pack(feed.FullName, "Debug", [.. PackageFeed.LibraryProjects, "src/Testing/Ebpf.Testing.csproj"], Version);
            using (var zip = ZipFile.OpenRead(Path.Combine(feed.FullName, $"Ebpf.Testing.{Version}.nupkg")))
            {
                Assert.Contains("lib/net10.0/Ebpf.Testing.dll", zip.Entries.Select(e => e.FullName));
                using var nuspec = new StreamReader(zip.GetEntry("Ebpf.Testing.nuspec")!.Open());
                var text = nuspec.ReadToEnd();
                Assert.Contains($"<dependency id=\"Ebpf.Runtime\" version=\"{Version}\"", text);
                Assert.Contains("<dependency id=\"xunit.v3.extensibility.core\"", text);
                Assert.DoesNotContain(zip.Entries, e => e.FullName.EndsWith("Ebpf.Runtime.dll", StringComparison.Ordinal));
            }

            if (Directory.Exists(project))
                Directory.Delete(project, recursive: true);
            Directory.CreateDirectory(project);
            foreach (var file in Directory.EnumerateFiles(RepoPaths.TestBpfSources, "build_*"))
                File.Copy(file, Path.Combine(project, Path.GetFileName(file)));
            File.WriteAllText(Path.Combine(project, "KitConsumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <RootNamespace>Kit.Consumer</RootNamespace>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                  </PropertyGroup>
                  <ItemGroup>
                    <BpfSource Include="build_count_packets.bpf.c" />
                    <PackageReference Include="Ebpf.Build" Version="{Version}" PrivateAssets="all" />
                    <PackageReference Include="Ebpf.Runtime" Version="{Version}" />
                    <PackageReference Include="Ebpf.Testing" Version="{Version}" />
                    <PackageReference Include="xunit.v3" Version="{RepoPackageVersion("xunit.v3")}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(project, "CountPacketsTests.cs"), """
                using Ebpf.Object;
                using Ebpf.Programs;
                using Ebpf.Testing;

                namespace Kit.Consumer;

                public sealed class CountPacketsTests
                {
                    [BpfFact(ProgramTypes = [ProgramType.Xdp])]
                    public void Passes_every_frame_unchanged()
                    {
                        using var skel = BuildCountPacketsSkel.OpenAndLoad();
                        TestRun.Of(skel.Programs.CountPackets)
                            .WithFrame(PacketBuilder.Ethernet().Vlan(10).Ipv4("10.0.0.1", "10.0.0.2").Tcp(40000, 80, TcpFlags.Syn))
                            .Run()
                            .ShouldReturn(XdpAction.Pass)
                            .ShouldLeaveFrameUnchanged();
                    }
                }
                """);
            // The local feed for Ebpf.*, and the machine's package folder for xunit (already restored by this repository's own
            // build; mapped so that an Ebpf.Testing restored there earlier cannot stand in for the one just packed).
            File.WriteAllText(Path.Combine(project, "nuget.config"), PackageFeed.NuGetConfig(feed.FullName, PackageFeed.MachinePackagesFolder()));
            DotnetCli.Run(project, ["build", "-nologo", "-nodeReuse:false"], new Dictionary<string, string?> { ["NUGET_PACKAGES"] = packages.FullName })
                     .EnsureSuccess();
            Assert.True(Directory.Exists(Path.Combine(packages.FullName, "ebpf.testing", Version)), "restored from the local feed into the private package folder");

            var run = HostCommand.Run(Path.Combine(project, "bin", "Debug", "net10.0", "KitConsumer"), ["-noColor", "-noLogo"], TimeSpan.FromMinutes(2),
                                      environment: new Dictionary<string, string?> { ["EBPF_TESTS_REQUIRED"] = null });
            var summary = Regex.Match(run.StandardOutput, @"Total: (\d+), Errors: (\d+), Failed: (\d+), Skipped: (\d+)");
            Assert.True(summary.Success, run.StandardOutput + run.StandardError);
            var root = Environment.UserName == "root";
            Assert.Equal(root ? "1 0 0 0" : "1 0 0 1", $"{summary.Groups[1]} {summary.Groups[2]} {summary.Groups[3]} {summary.Groups[4]}");
            if (!root)
                Assert.Contains("needs root", run.StandardOutput);
        }
        finally
        {
            feed.Delete(recursive: true);
            packages.Delete(recursive: true);
            if (Directory.Exists(project))
                Directory.Delete(project, recursive: true);
        }
    }

    /// <summary>The version Directory.Packages.props pins for <paramref name="id"/>: the consumer uses the same xunit as the kit.</summary>
    private static string RepoPackageVersion(string id)
    {
        var props = File.ReadAllText(Path.Combine(RepoPaths.Root, "Directory.Packages.props"));
        return Regex.Match(props, $"<PackageVersion Include=\"{Regex.Escape(id)}\" Version=\"([^\"]+)\"").Groups[1].Value;
    }
}
