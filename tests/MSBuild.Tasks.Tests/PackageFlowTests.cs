using System.IO.Compression;
using Ebpf.TestKit;

namespace Ebpf.Build.Tasks.Tests;

/// <summary>
/// dotnet pack writes Ebpf.Build (targets, task with CliWrap and Ebpf.Object beside it, generator with Ebpf.Object as
/// analyzers), Ebpf.Runtime and Ebpf.Object (its dependency); a new console project outside the repository restores
/// them from a local feed into a private package
/// folder, adds a BpfSource (internal), one with Types and a two-file Object, gets their skeletons and embedded objects,
/// and runs.
/// </summary>
[Collection(RealBuilds.Name)]
public sealed class PackageFlowTests
{
    private const string Version = "0.1.0";

    [Fact]
    public void PackagesFromALocalFeedBuildANewProjectOutsideTheRepository()
    {
        var feed = Directory.CreateTempSubdirectory("ebpf-feed-");
        var packages = Directory.CreateTempSubdirectory("ebpf-nuget-packages-");
        try
        {
            // Debug: the test project's own build has just built these, so pack only checks they are up to date.
            PackageFeed.Pack(feed.FullName, "Debug", PackageFeed.LibraryProjects, Version);

            var buildPackage = Path.Combine(feed.FullName, $"Ebpf.Build.{Version}.nupkg");
            using (var zip = ZipFile.OpenRead(buildPackage))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
                foreach (var expected in new[]
                         {
                             "tasks/net10.0/Ebpf.Build.Tasks.dll", "tasks/net10.0/CliWrap.dll", "tasks/net10.0/Ebpf.Object.dll",
                             "analyzers/dotnet/cs/Ebpf.Generator.dll", "analyzers/dotnet/cs/Ebpf.Object.dll", "analyzers/dotnet/cs/Ebpf.Generator.CodeFixes.dll",
                             "build/Ebpf.Build.props", "build/Ebpf.Build.targets", "buildTransitive/Ebpf.Build.props", "buildTransitive/Ebpf.Build.targets",
                         })
                    Assert.Contains(expected, entries);
                Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal));
                using var nuspec = new StreamReader(zip.GetEntry("Ebpf.Build.nuspec")!.Open());
                var text = nuspec.ReadToEnd();
                Assert.Contains("<developmentDependency>true</developmentDependency>", text);
                Assert.DoesNotContain("<dependency ", text);
            }
            using (var zip = ZipFile.OpenRead(Path.Combine(feed.FullName, $"Ebpf.Runtime.{Version}.nupkg")))
            {
                using var nuspec = new StreamReader(zip.GetEntry("Ebpf.Runtime.nuspec")!.Open());
                Assert.Contains($"<dependency id=\"Ebpf.Object\" version=\"{Version}\"", nuspec.ReadToEnd());
                Assert.DoesNotContain(zip.Entries, e => e.FullName.EndsWith("Ebpf.Object.dll", StringComparison.Ordinal));
            }
            using (var zip = ZipFile.OpenRead(Path.Combine(feed.FullName, $"Ebpf.Object.{Version}.nupkg")))
                Assert.Contains("lib/netstandard2.0/Ebpf.Object.dll", zip.Entries.Select(e => e.FullName));

            using var project = TempProject.Create("package-consumer", """
                <BpfSource Include="build_count_packets.bpf.c" Access="internal" />
                    <BpfSource Include="build_types.bpf.c" Types="event;verdict" />
                    <BpfSource Include="build_link_count.bpf.c;build_link_report.bpf.c" Object="linked" />
                """, packageVersion: Version);
            // The Types and the linked object's types are usable from C#.
            File.WriteAllText(project.Path_("Program.cs"), """
                using Build.Tests.App;
                System.Console.WriteLine($"{new BuildTypesSkel.Event().Len + (uint)BuildTypesSkel.Verdict.VerdictLong + new LinkedSkel.LinkCounts().Packets} " +
                                         $"{System.Runtime.CompilerServices.Unsafe.SizeOf<BuildTypesSkel.Event>()} {System.Runtime.CompilerServices.Unsafe.SizeOf<LinkedSkel.LinkCounts>()}");
                System.GC.KeepAlive(typeof(BuildCountPacketsSkel));
                """);
            File.WriteAllText(project.Path_("nuget.config"), PackageFeed.NuGetConfig(feed.FullName));
            var build = DotnetCli.Run(project.Directory, ["build", "-nologo", "-v:n", "-nodeReuse:false"],
                                      new Dictionary<string, string?> { ["NUGET_PACKAGES"] = packages.FullName }).EnsureSuccess();
            Assert.Equal(["build_count_packets.bpf.c", "build_link_count.bpf.c", "build_link_report.bpf.c", "build_types.bpf.c"], build.CompiledSources);
            Assert.Contains("Ebpf.Build: linking linked.bpf.o", build.Output);
            Assert.True(Directory.Exists(Path.Combine(packages.FullName, "ebpf.build", Version)), "restored into the private package folder");
            HandOff.AssertEditorConfig(project, "build_count_packets", "BuildCountPacketsSkel");
            var assembly = BuiltAssembly.Read(project.OutputAssembly);
            Assert.Contains(TempProject.RootNamespace + ".BuildCountPacketsSkel", assembly.TypeNames);
            Assert.Contains(TempProject.RootNamespace + ".BuildTypesSkel", assembly.TypeNames);
            Assert.Contains(TempProject.RootNamespace + ".LinkedSkel", assembly.TypeNames);
            Assert.Equal(File.ReadAllBytes(Path.Combine(project.IntermediateBpf, "linked.bpf.o")), assembly.Resources["Ebpf.Objects.linked.bpf.o"]);
            Assert.Equal(File.ReadAllBytes(Path.Combine(project.IntermediateBpf, "build_count_packets.bpf.o")),
                         assembly.Resources["Ebpf.Objects.build_count_packets.bpf.o"]);
            Assert.Contains("internal sealed partial class BuildCountPacketsSkel",
                            File.ReadAllText(Path.Combine(project.Directory, "obj", "Debug", "net10.0", "generated", "Ebpf.Generator",
                                                          "Ebpf.Generator.SkeletonGenerator", TempProject.RootNamespace + ".BuildCountPacketsSkel.g.cs")));
            // The app runs against the packaged runtime: the generated types have the layout C gave them.
            var run = DotnetCli.Run(project.Directory, [project.OutputAssembly]).EnsureSuccess();
            Assert.Equal("9 24 16\n", run.Output.Replace("\r", ""));
        }
        finally
        {
            feed.Delete(recursive: true);
            packages.Delete(recursive: true);
        }
    }
}
