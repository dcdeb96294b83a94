using Ebpf.Maps;
using Ebpf.TestKit;

namespace Ebpf.Build.Tasks.Tests;

/// <summary>
/// The Types metadata through real builds: named types that no map or global reaches become nested types of
/// the skeleton (build_types.bpf.c reaches struct event only through a bpf_ringbuf_reserve pointer and enum
/// verdict only through its constants); a name that does not exist is an error at the item with close names;
/// and the generated type reads ring buffer records written by the kernel.
/// </summary>
[Collection(RealBuilds.Name)]
public sealed class TypesBuildTests
{
    private const string Items = """<BpfSource Include="build_types.bpf.c" Types="$(BpfTypes)" />""";

    private static string Generated(TempProject project) =>
        File.ReadAllText(Path.Combine(project.Directory, "obj", "Debug", "net10.0", "generated", "Ebpf.Generator",
                                      "Ebpf.Generator.SkeletonGenerator", TempProject.RootNamespace + ".BuildTypesSkel.g.cs"));

    [Fact]
    public void NamedTypesAreGeneratedAndUnknownNamesAreErrorsAtTheItem()
    {
        using var project = TempProject.Create("types", Items);
        var wrapper = Path.Combine(project.IntermediateBpf, "build_types.bpf.types.c");

        // Without Types: clang emits no BTF for either type, so the skeleton has neither (what Types is for).
        project.Build().EnsureSuccess();
        Assert.DoesNotContain("struct Event", Generated(project));
        Assert.DoesNotContain("enum Verdict", Generated(project));
        Assert.False(File.Exists(wrapper));

        // With Types: both generated, the source compiled through the wrapper; the program uses them.
        File.WriteAllText(project.Path_("Program.cs"), """
            using Build.Tests.App;
            var e = new BuildTypesSkel.Event { Len = 1, Verdict = (uint)BuildTypesSkel.Verdict.VerdictLong, Seq = 2, FirstByte = 3 };
            System.Console.WriteLine(System.Runtime.CompilerServices.Unsafe.SizeOf<BuildTypesSkel.Event>() + " " + e.Verdict);
            """);
        var typed = project.Build("-p:BpfTypes=event%3Bverdict").EnsureSuccess();
        Assert.Equal(["build_types.bpf.c"], typed.CompiledSources);
        var skeleton = Generated(project);
        Assert.Contains("public partial struct Event", skeleton);
        Assert.Contains("[global::System.Runtime.InteropServices.StructLayout(global::System.Runtime.InteropServices.LayoutKind.Explicit, Size = 24)]", skeleton);
        Assert.Contains("public enum Verdict : uint", skeleton);
        Assert.Contains("VerdictLong = 9,", skeleton);
        var anchors = File.ReadAllText(wrapper);
        Assert.Contains("static const struct event *const __ebpf_type_event", anchors);
        Assert.Contains("static const enum verdict *const __ebpf_type_verdict", anchors);
        // No global or map was added: the skeleton's members are those of the source alone.
        Assert.DoesNotContain("__ebpf_type", skeleton);
        Assert.Contains("public global::Ebpf.Maps.RingBufMap Events", skeleton);

        // Same Types again: nothing to compile. Another Types list: recompiled (the flags stamp holds it).
        Assert.Empty(project.Build("-p:BpfTypes=event%3Bverdict").EnsureSuccess().CompiledSources);

        // A misspelt name: an error at the project that declares the item, with the close name; no object is kept.
        var misspelt = project.Build("-p:BpfTypes=evnt%3Bverdict");
        Assert.False(misspelt.Succeeded);
        var error = Assert.Single(misspelt.Errors);
        Assert.StartsWith(project.Path_("App.csproj") + " : error EBPF106:", error);
        Assert.Contains("Types names 'evnt'", error);
        Assert.Contains("Did you mean 'event'?", error);
        Assert.False(File.Exists(Path.Combine(project.IntermediateBpf, "build_types.bpf.o")));

        // Not an identifier at all.
        var spelled = project.Build("-p:BpfTypes=struct event");
        Assert.False(spelled.Succeeded);
        Assert.Contains(spelled.Errors, e => e.Contains("EBPF106") && e.Contains("'struct event', which is not a C identifier"));

        // A C error in the source is reported as clang's own error at the source, not through the wrapper.
        File.AppendAllText(project.Path_("build_types.bpf.c"), "\nint broken(void) { return undeclared_thing; }\n");
        var broken = project.Build("-p:BpfTypes=event");
        Assert.False(broken.Succeeded);
        var cError = Assert.Single(broken.Errors);
        Assert.StartsWith(project.Path_("build_types.bpf.c") + "(", cError);
        Assert.Contains("undeclared_thing", cError);
    }

    [Fact]
    public void RingBufferRecordsAreReadIntoTheGeneratedType()
    {
        Kernel.RequireRoot();
        using var project = TempProject.Create("types-kernel", Items, "<AllowUnsafeBlocks>true</AllowUnsafeBlocks>");
        File.WriteAllText(project.Path_("Program.cs"), """
            using System;
            using System.Threading;
            using Build.Tests.App;

            using var skel = BuildTypesSkel.OpenAndLoad();
            using var reader = skel.Maps.Events.OpenReader();
            foreach (var len in new[] { 60, 200, 61 })
            {
                var packet = new byte[len];
                packet[0] = (byte)(len + 1);
                skel.Programs.ReportPacket.TestRun(packet);
            }
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var n = 0;
            await foreach (var e in reader.ReadAllAsync<BuildTypesSkel.Event>(cts.Token))
            {
                Console.WriteLine($"{e.Seq} {e.Len} {(BuildTypesSkel.Verdict)e.Verdict} {e.FirstByte}");
                if (++n == 3)
                    break;
            }
            """);
        project.Build("-p:BpfTypes=event%3Bverdict").EnsureSuccess();
        var run = DotnetCli.Run(project.Directory, [project.OutputAssembly], timeout: TimeSpan.FromMinutes(1)).EnsureSuccess();
        Assert.Equal("0 60 VerdictShort 61\n1 200 VerdictLong 201\n2 61 VerdictShort 62\n", run.Output.Replace("\r", ""));
    }
}
