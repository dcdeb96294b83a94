using Ebpf.Generator.Analysis;
using Ebpf.Generator.Tests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Ebpf.Generator.Tests;

/// <summary>
/// EBPF201 (a .rodata variable or MaxEntries written after Load) and EBPF202 (Programs.X before Load) against the real
/// generated skeletons of gen_globals.bpf.c and gen_maps.bpf.c, with Microsoft.CodeAnalysis.Testing; and the cases
/// that must stay quiet: orders that differ between paths, skeletons that escape the method, fields.
/// </summary>
public class LifecycleAnalyzerTests
{
    private static readonly Lazy<string> globals = new(() => GeneratorHarness.Run(ObjectInput.ForTestObject("gen_globals.bpf.c")).SingleSource);
    private static readonly Lazy<string> maps = new(() => GeneratorHarness.Run(ObjectInput.ForTestObject("gen_maps.bpf.c")).SingleSource);

    private static string Code(string body, string members = "") => $$"""
        using Ebpf.Generator.Tests.Golden;

        public class App
        {
            {{members}}

            public void Run(bool flag, int n)
            {
                {{body}}
            }

            private static void Helper(GenGlobalsSkel s) => s.Load();
        }
        """;

    internal static async Task Verify(string source, OutputKind kind = OutputKind.DynamicallyLinkedLibrary)
    {
        var test = new CSharpAnalyzerTest<SkeletonLifecycleAnalyzer, DefaultVerifier>
        {
            TestCode = source,
            // The test's own references (no NuGet download): the framework this process runs on and Ebpf.Runtime.
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        test.TestState.OutputKind = kind;
        test.TestState.Sources.Add(("GenGlobalsSkel.g.cs", globals.Value));
        test.TestState.Sources.Add(("GenMapsSkel.g.cs", maps.Value));
        test.TestState.AdditionalReferences.AddRange(TestCompiler.References(withRuntime: true));
        test.SolutionTransforms.Add((solution, projectId) =>
        {
            var options = (Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions)solution.GetProject(projectId)!.CompilationOptions!;
            return solution.WithProjectCompilationOptions(projectId, options.WithNullableContextOptions(NullableContextOptions.Enable));
        });
        await test.RunAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public Task RodataWrittenAfterLoadWarns() => Verify(Code("""
        using var skel = GenGlobalsSkel.Open();
        skel.Rodata.CfgPort = 1;
        skel.Load();
        {|EBPF201:skel.Rodata.CfgPort|} = 2;
        {|EBPF201:skel.RodataLimits.Limits|} = default;
        {|EBPF201:skel.Rodata.GlobalData.Write<uint>(0, 3)|};
        skel.Data.PacketsSeen = 4;   // .data is live after Load: fine
        """));

    [Fact]
    public Task MaxEntriesAfterLoadAndOpenAndLoadWarn() => Verify(Code("""
        using var maps = GenMapsSkel.Open();
        maps.Maps.Flows.MaxEntries = 100;
        maps.Load();
        {|EBPF201:maps.Maps.Flows.MaxEntries|} += 1;
        using var loaded = GenGlobalsSkel.OpenAndLoad();
        {|EBPF201:loaded.Rodata.CfgPort|} = 2;
        _ = loaded.Programs.OnEnter;
        """));

    [Fact]
    public Task ProgramsBeforeLoadWarn() => Verify(Code("""
        using var skel = GenGlobalsSkel.Open();
        var program = {|EBPF202:skel.Programs.OnEnter|};
        {|EBPF202:skel.Programs.SockFilter|}.ToString();
        skel.Load();
        _ = skel.Programs.Connect4;
        """));

    [Fact]
    public Task TopLevelStatementsAreAnalyzed() => Verify("""
        using Ebpf.Generator.Tests.Golden;
        using var skel = GenGlobalsSkel.Open();
        _ = {|EBPF202:skel.Programs.OnEnter|};
        skel.Load();
        {|EBPF201:skel.Rodata.CfgPort|} = 5;
        """, OutputKind.ConsoleApplication);

    [Fact]
    public Task OrdersThatDifferBetweenPathsDoNotWarn() => Verify(Code("""
        using var skel = GenGlobalsSkel.Open();
        for (var i = 0; i < n; i++)
        {
            if (i == 0)
                skel.Rodata.CfgPort = 1;   // later iterations come after Load, the first does not
            else
                skel.Load();
            if (i > 1)
                _ = skel.Programs.OnEnter; // Load may have run in an earlier iteration
        }
        using var other = GenGlobalsSkel.Open();
        if (flag)
            other.Load();
        other.Rodata.CfgPort = 2;          // not loaded on every path
        _ = other.Programs.OnEnter;        // loaded on some path
        """));

    [Fact]
    public Task SkeletonsThatEscapeAreNotAnalyzed() => Verify(Code("""
        using var passed = GenGlobalsSkel.Open();
        Helper(passed);                    // may have loaded it: nothing is known
        _ = passed.Programs.OnEnter;
        using var viaObject = GenGlobalsSkel.Open();
        viaObject.Object.Load();
        _ = viaObject.Programs.OnEnter;
        using var captured = GenGlobalsSkel.Open();
        System.Action load = () => captured.Load();
        load();
        _ = captured.Programs.OnEnter;
        field = GenGlobalsSkel.Open();
        field.Load();
        field.Rodata.CfgPort = 1;          // a field: other methods see it too
        var stored = GenGlobalsSkel.Open();
        field = stored;
        _ = stored.Programs.OnEnter;
        """, "private GenGlobalsSkel field = null!;"));

    [Fact]
    public Task LambdasAndLocalFunctionsAreAnalyzedAsTheirOwnBodies() => Verify(Code("""
        System.Action lambda = () =>
        {
            using var skel = GenGlobalsSkel.Open();
            _ = {|EBPF202:skel.Programs.OnEnter|};
            skel.Load();
            {|EBPF201:skel.Rodata.CfgPort|} = 1;
        };
        System.Func<int, uint> nested = x =>
        {
            System.Action inner = () =>
            {
                using var deep = GenGlobalsSkel.OpenAndLoad();
                {|EBPF201:deep.Rodata.CfgPort|} = 2;
            };
            inner();
            return 0;
        };
        Local();
        lambda();

        void Local()
        {
            using var skel = GenMapsSkel.Open();
            skel.Load();
            {|EBPF201:skel.Maps.Flows.MaxEntries|} = 10;
            Deeper();

            static void Deeper()
            {
                using var again = GenGlobalsSkel.Open();
                _ = {|EBPF202:again.Programs.SockFilter|};
            }
        }
        """));

    [Fact]
    public Task LambdasAndLocalFunctionsInTheRightOrderOrWithCapturesDoNotWarn() => Verify(Code("""
        using var outer = GenGlobalsSkel.Open();
        System.Action loadOuter = () => outer.Load();          // captured: when it runs is unknown, in here and out there
        System.Action useOuter = () => _ = outer.Programs.OnEnter;
        loadOuter();
        useOuter();
        outer.Rodata.CfgPort = 1;
        System.Action right = () =>
        {
            using var skel = GenGlobalsSkel.Open();
            skel.Rodata.CfgPort = 1;
            skel.Load();
            _ = skel.Programs.OnEnter;
        };
        System.Action<GenGlobalsSkel> parameter = s => _ = s.Programs.OnEnter;   // a parameter: its state is the caller's
        right();
        Configure(GenGlobalsSkel.Open());
        Loop();

        void Configure(GenGlobalsSkel s)
        {
            s.Load();
            s.Rodata.CfgPort = 3;                 // a parameter, not a local of this function: not tracked
        }

        void Loop()
        {
            using var skel = GenGlobalsSkel.Open();
            for (var i = 0; i < n; i++)
            {
                if (i == 0)
                    skel.Rodata.CfgPort = 1;
                else
                    skel.Load();
            }
            if (skel is { } copy)
                _ = copy.Programs.OnEnter;        // a pattern variable: not declared by a factory, not tracked
        }
        """));
}

/// <summary>The EBPF201 code fix: the write moves before the Load() it followed, and is not offered where that would not compile.</summary>
public class LifecycleCodeFixTests
{
    private static async Task Verify(string source, string fixedSource, bool fixExpected = true)
    {
        var test = new CSharpCodeFixTest<SkeletonLifecycleAnalyzer, Ebpf.Generator.CodeFixes.MoveBeforeLoadCodeFix, DefaultVerifier>
        {
            TestCode = source,
            FixedCode = fixedSource,
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        if (!fixExpected)
            test.FixedState.MarkupHandling = MarkupMode.Allow; // the diagnostic stays: no fix applies
        foreach (var state in new[] { test.TestState, test.FixedState })
        {
            state.Sources.Add(("GenGlobalsSkel.g.cs", GeneratorHarness.Run(ObjectInput.ForTestObject("gen_globals.bpf.c")).SingleSource));
            state.AdditionalReferences.AddRange(TestCompiler.References(withRuntime: true));
        }
        test.SolutionTransforms.Add((solution, projectId) =>
        {
            var options = (Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions)solution.GetProject(projectId)!.CompilationOptions!;
            return solution.WithProjectCompilationOptions(projectId, options.WithNullableContextOptions(NullableContextOptions.Enable));
        });
        await test.RunAsync(TestContext.Current.CancellationToken);
    }

    private static string Method(string body) => $$"""
        using Ebpf.Generator.Tests.Golden;

        public class App
        {
            public void Run()
            {
        {{body}}
            }
        }
        """;

    [Fact]
    public Task WriteAfterLoadMovesBeforeIt() => Verify(
        Method("""
                    using var skel = GenGlobalsSkel.Open();
                    skel.Load();
                    var port = 443u;
                    {|EBPF201:skel.Rodata.CfgPort|} = 8080;
            """),
        Method("""
                    using var skel = GenGlobalsSkel.Open();
                    skel.Rodata.CfgPort = 8080;
                    skel.Load();
                    var port = 443u;
            """));

    [Fact]
    public Task NoFixWhenTheWriteUsesALocalDeclaredAfterLoad() => Verify(
        Method("""
                    using var skel = GenGlobalsSkel.Open();
                    skel.Load();
                    var port = 443u;
                    {|EBPF201:skel.Rodata.CfgPort|} = port;
            """),
        Method("""
                    using var skel = GenGlobalsSkel.Open();
                    skel.Load();
                    var port = 443u;
                    {|EBPF201:skel.Rodata.CfgPort|} = port;
            """),
        fixExpected: false);
}
