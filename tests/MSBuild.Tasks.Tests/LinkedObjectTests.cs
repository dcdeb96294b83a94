using Ebpf.Btf;
using Ebpf.Maps;
using Ebpf.Object;
using Ebpf.Programs;
using Ebpf.TestKit;

namespace Ebpf.Build.Tasks.Tests;

/// <summary>
/// Several .c files in one object (Object metadata) through real builds: build_link_count.bpf.c defines the map
/// and a global that build_link_report.bpf.c uses through extern declarations, calls a function defined there,
/// and each file has CO-RE relocations of its own. The linked object is compared with bpftool gen object's
/// (libbpf's static linker) and run in the kernel.
/// </summary>
[Collection(RealBuilds.Name)]
public sealed class LinkedObjectTests
{
    private const string Items = """
        <BpfSource Include="build_link_count.bpf.c" Object="linked" Types="$(LinkTypes)" SkeletonName="$(CountSkeleton)" />
            <BpfSource Include="build_link_report.bpf.c" Object="linked" Types="$(LinkTypes)" />
            <BpfSource Include="build_link_duplicate.bpf.c" Object="linked" Types="$(LinkTypes)" Condition="'$(WithDuplicate)' == 'true'" />
            <BpfSource Include="build_count_packets.bpf.c" />
        """;

    private static string Generated(TempProject project, string skeleton) =>
        File.ReadAllText(Path.Combine(project.Directory, "obj", "Debug", "net10.0", "generated", "Ebpf.Generator",
                                      "Ebpf.Generator.SkeletonGenerator", $"{TempProject.RootNamespace}.{skeleton}.g.cs"));

    [Fact]
    public void SourcesLinkIntoOneObjectLikeBpftoolGenObjectAndRelinkPerChangedSource()
    {
        using var project = TempProject.Create("linked", Items);
        var bpf = project.IntermediateBpf;
        var objectFile = Path.Combine(bpf, "linked.bpf.o");

        // 1. Both sources compiled (to bitcode) and linked; the single-file object beside them is unaffected.
        var first = project.Build().EnsureSuccess();
        Assert.Equal(["build_count_packets.bpf.c", "build_link_count.bpf.c", "build_link_report.bpf.c"], first.CompiledSources);
        Assert.Contains("Ebpf.Build: linking linked.bpf.o (build_link_count.bpf.c, build_link_report.bpf.c)", first.Output);
        var assembly = BuiltAssembly.Read(project.OutputAssembly);
        Assert.Equal(File.ReadAllBytes(objectFile), assembly.Resources["Ebpf.Objects.linked.bpf.o"]);
        Assert.Contains(TempProject.RootNamespace + ".LinkedSkel", assembly.TypeNames);
        Assert.Contains(TempProject.RootNamespace + ".BuildCountPacketsSkel", assembly.TypeNames);

        // 2. One skeleton covers what both files define.
        var skeleton = Generated(project, "LinkedSkel");
        foreach (var member in new[]
                 {
                     "ArrayMap<global::Build.Tests.App.LinkedSkel.LinkCounts> SharedCounts", "XdpProgram LinkCount =>", "XdpProgram LinkReport =>",
                     "public ulong PacketsSeen", "public uint TaskPidOffset", "public uint LastLen", "public uint SkbLenSize", "public uint BigThreshold",
                     "public partial struct LinkCounts",
                 })
            Assert.Contains(member, skeleton);

        // 3. The oracle: bpftool gen object over the same sources compiled separately has the same maps, programs
        //    (with the same CO-RE relocations), globals and named BTF types.
        AssertSameAsBpftool(project, objectFile);

        // 4. Nothing changed: no compile, no link. One source changed: only it is recompiled, then relinked.
        var second = project.Build().EnsureSuccess();
        Assert.Empty(second.CompiledSources);
        Assert.DoesNotContain("Ebpf.Build: linking", second.Output);
        project.Touch("build_link_report.bpf.c");
        var third = project.Build().EnsureSuccess();
        Assert.Equal(["build_link_report.bpf.c"], third.CompiledSources);
        Assert.Contains("Ebpf.Build: linking linked.bpf.o", third.Output);
        // A header of the single-file object only: the linked object is not relinked.
        project.Touch("build_common.h");
        var fourth = project.Build().EnsureSuccess();
        Assert.Equal(["build_count_packets.bpf.c"], fourth.CompiledSources);
        Assert.DoesNotContain("Ebpf.Build: linking", fourth.Output);

        // 5. A global defined in two files: one error naming both, no object kept.
        var duplicate = project.Build("-p:WithDuplicate=true");
        Assert.False(duplicate.Succeeded);
        var dupError = Assert.Single(duplicate.Errors);
        Assert.Contains("EBPF109", dupError);
        Assert.Contains("'packets_seen' is defined in both build_link_count.bpf.c and build_link_duplicate.bpf.c", dupError);
        Assert.StartsWith(project.Path_("build_link_duplicate.bpf.c"), dupError);
        Assert.False(File.Exists(objectFile));

        // 6. Object-level metadata that differs between the sources.
        var mismatch = project.Build("-p:CountSkeleton=OtherSkel");
        Assert.False(mismatch.Succeeded);
        var metaError = Assert.Single(mismatch.Errors);
        Assert.Contains("EBPF107", metaError);
        Assert.Contains("SkeletonName is 'OtherSkel' on build_link_count.bpf.c but '' on build_link_report.bpf.c", metaError);

        // 7. Types of a linked object are looked for in all its sources.
        var types = project.Build("-p:LinkTypes=link_countz");
        Assert.False(types.Succeeded);
        var typeError = Assert.Single(types.Errors);
        Assert.Contains("EBPF106", typeError);
        Assert.Contains("Object 'linked': Types names 'link_countz'", typeError);
        Assert.Contains("Did you mean 'link_counts'?", typeError);
        // A name one of the sources defines (enum link_class, only used for its constants, in build_link_report.bpf.c):
        // anchored in that source's wrapper, generated in the linked skeleton.
        project.Build("-p:LinkTypes=link_class").EnsureSuccess();
        Assert.Contains("public enum LinkClass : uint", Generated(project, "LinkedSkel"));
        Assert.True(File.Exists(Path.Combine(bpf, "build_link_report.bpf.types.c")));

        // 8. Back to the two files: builds again, and the third file's bitcode is pruned.
        project.Build().EnsureSuccess();
        Assert.False(File.Exists(Path.Combine(bpf, "build_link_duplicate.bpf.bc")));
        Assert.True(File.Exists(objectFile));
    }

    [Fact]
    public void LinkedObjectLoadsAndRunsInTheKernel()
    {
        Kernel.RequireRoot();
        using var project = TempProject.Create("linked-kernel", Items);
        File.WriteAllText(project.Path_("Program.cs"), """
            using System;
            using Build.Tests.App;

            using var skel = LinkedSkel.Open();
            skel.Rodata.BigThreshold = 120;        // .rodata of build_link_report.bpf.c, read by classify()
            skel.Load();
            foreach (var len in new[] { 60, 150, 70 })
                skel.Programs.LinkCount.TestRun(new byte[len]);
            skel.Programs.LinkReport.TestRun(new byte[64]);
            var c = skel.Maps.SharedCounts;
            Console.WriteLine($"small {c[0].Packets} {c[0].Bytes}");
            Console.WriteLine($"big {c[1].Packets} {c[1].Bytes}");
            Console.WriteLine($"report {c[2].Packets}");
            Console.WriteLine($"globals {skel.Bss.PacketsSeen} {skel.Bss.LastLen} {skel.Bss.TaskPidOffset} {skel.Bss.SkbLenSize}");
            """);
        project.Build().EnsureSuccess();
        var run = DotnetCli.Run(project.Directory, [project.OutputAssembly], timeout: TimeSpan.FromMinutes(1)).EnsureSuccess();

        // CO-RE in each file resolved against this kernel: task_struct.pid's offset, sk_buff.len's size.
        var vmlinux = BtfSpec.Parse(File.ReadAllBytes("/sys/kernel/btf/vmlinux"));
        var task = vmlinux.FindByName("task_struct").OfType<BtfComposite>().First();
        var pidOffset = task.Members.Single(m => m.Name == "pid").BitOffset / 8;
        var skb = vmlinux.FindByName("sk_buff").OfType<BtfComposite>().First();
        var lenSize = vmlinux.SizeOf(skb.Members.Single(m => m.Name == "len").TypeId);
        Assert.Equal($"small 2 130\nbig 1 150\nreport 3\nglobals 3 70 {pidOffset} {lenSize}\n", run.Output.Replace("\r", ""));
    }

    /// <summary>
    /// An extern map declaration whose body says something else than the definition (another max_entries, another value
    /// type of the same size) is an error at the declaring file naming both, as libbpf's linker (bpftool gen object)
    /// refuses it; llvm-link alone would bind it to the definition without a word.
    /// </summary>
    [Theory]
    [InlineData("max_entries", "max_entries is 8 in build_link_mismatch.bpf.c but 4 in build_link_count.bpf.c")]
    [InlineData("value type", "the value type is 'struct other_counts' in build_link_mismatch.bpf.c but 'struct link_counts' in build_link_count.bpf.c")]
    [InlineData("value fields", "in the value type, field #1 of 'struct link_counts' is 'bytes' in build_link_mismatch.bpf.c but 'packets' in build_link_count.bpf.c")]
    public void ExternMapWithAnotherBodyIsAnErrorNamingBothFilesLikeBpftool(string change, string expected)
    {
        using var project = TempProject.Create("linked-mismatch", """
            <BpfSource Include="build_link_count.bpf.c" Object="linked" />
                <BpfSource Include="build_link_mismatch.bpf.c" Object="linked" />
            """);
        var report = File.ReadAllText(project.Path_("build_link_report.bpf.c"));
        var mismatch = change == "max_entries"
            ? report.Replace("__uint(max_entries, LINK_SLOTS);", "__uint(max_entries, 8);")
            // a copy of the struct that drifted: the same name and size, the fields in another order
            : change == "value fields"
            ? report.Replace("#include \"build_link.h\"\n",
                             "#define link_counts link_counts_of_the_header\n#include \"build_link.h\"\n#undef link_counts\nstruct link_counts { __u64 bytes, packets; };\n")
            : report.Replace("#include \"build_link.h\"\n", "#include \"build_link.h\"\nstruct other_counts { __u64 a, b; };\n")
                    .Replace("__type(value, struct link_counts);\n} shared_counts", "__type(value, struct other_counts);\n} shared_counts")
                    .Replace("struct link_counts *counts", "struct other_counts *counts").Replace("counts->packets = packets_seen", "counts->a = packets_seen");
        Assert.NotEqual(report, mismatch);
        File.WriteAllText(project.Path_("build_link_mismatch.bpf.c"), mismatch);

        var result = project.Build();
        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith(project.Path_("build_link_mismatch.bpf.c"), error);
        Assert.Contains("EBPF111", error);
        Assert.Contains("Map 'shared_counts' is declared extern in build_link_mismatch.bpf.c with a body that differs from its definition in build_link_count.bpf.c", error);
        Assert.Contains(expected, error);
        Assert.False(File.Exists(Path.Combine(project.IntermediateBpf, "linked.bpf.o")));
        Assert.DoesNotContain(Directory.EnumerateFiles(project.IntermediateBpf), f => f.EndsWith(".bc.o", StringComparison.Ordinal));

        // The oracle refuses the same pair.
        var dir = Directory.CreateTempSubdirectory("ebpf-link-oracle-");
        try
        {
            var parts = CompileSeparately(project, dir.FullName, "build_link_count.bpf.c", "build_link_mismatch.bpf.c");
            var oracle = HostCommand.Run("bpftool", ["gen", "object", Path.Combine(dir.FullName, "oracle.o"), .. parts], workingDirectory: project.Directory);
            Assert.NotEqual(0, oracle.ExitCode);
            Assert.Contains("shared_counts", oracle.StandardError);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Compares our linked object with bpftool gen object's over separately compiled objects of the same sources.</summary>
    private static void AssertSameAsBpftool(TempProject project, string ours)
    {
        var dir = Directory.CreateTempSubdirectory("ebpf-link-oracle-");
        try
        {
            var parts = CompileSeparately(project, dir.FullName, "build_link_count.bpf.c", "build_link_report.bpf.c");
            var oracle = Path.Combine(dir.FullName, "oracle.o");
            Run(project.Directory, "bpftool", ["gen", "object", oracle, .. parts]);
            var a = ObjectSpec.Parse(File.ReadAllBytes(ours));
            var b = ObjectSpec.Parse(File.ReadAllBytes(oracle));
            Assert.Equal(Maps(b), Maps(a));
            Assert.Equal(Programs(b), Programs(a));
            Assert.Equal(Globals(b), Globals(a));
            Assert.Equal(b.License, a.License);
            Assert.Equal(2, Programs(a).Count(p => !p.EndsWith(" core ", StringComparison.Ordinal))); // CO-RE in both files
            // Our BTF is not deduplicated (no BTF dedup: a type both files use appears once per file), so compare the names.
            Assert.Equal(NamedTypes(b.Btf!), NamedTypes(a.Btf!));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Each source compiled to an object of its own (what bpftool gen object links), into <paramref name="dir"/>.</summary>
    private static List<string> CompileSeparately(TempProject project, string dir, params string[] sources)
    {
        var parts = new List<string>();
        foreach (var source in sources)
        {
            var o = Path.Combine(dir, source.Replace(".c", ".o"));
            Run(project.Directory, "clang", "-target", "bpfel", "-g", "-O2", "-D__TARGET_ARCH_x86", "-idirafter", "/usr/include/x86_64-linux-gnu",
                "-c", source, "-o", o);
            parts.Add(o);
        }
        return parts;
    }

    private static List<string> Maps(ObjectSpec s) =>
        s.Maps.Select(m => $"{m.Name} {m.Type} {m.KeySize} {m.ValueSize} {m.MaxEntries} {m.Flags}").Order(StringComparer.Ordinal).ToList();

    private static List<string> Programs(ObjectSpec s) =>
        s.Programs.Select(p => $"{p.Name} {p.SectionName} {p.Type} core " +
                               string.Join(",", p.CoreRelocations.Select(r => $"{r.Kind}:{s.Btf![r.TypeId].Name}:{r.AccessString}").Order(StringComparer.Ordinal)))
                  .Order(StringComparer.Ordinal).ToList();

    private static List<string> Globals(ObjectSpec s) =>
        s.DataSections.SelectMany(d => d.Variables.Where(v => v.IsGlobal).Select(v => $"{d.Name} {v.Name} {v.Size} {v.IsConst}"))
                      .Order(StringComparer.Ordinal).ToList();

    private static List<string> NamedTypes(BtfSpec btf)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        for (var id = btf.FirstTypeId; id < (uint)btf.Count; id++)
        {
            var t = btf[id];
            if (t.Name.Length > 0 && t.Kind is BtfKind.Struct or BtfKind.Union or BtfKind.Enum or BtfKind.Typedef or BtfKind.Func or BtfKind.Var)
                names.Add(t.Kind + " " + t.Name);
        }
        return names.ToList();
    }

    private static void Run(string workingDirectory, string file, params string[] args)
    {
        var r = HostCommand.Run(file, args, workingDirectory: workingDirectory);
        Assert.True(r.Succeeded, $"{r.CommandLine} failed: {r.StandardError}");
    }
}
