using Ebpf.Build.Types;

namespace Ebpf.Build.Tasks.Tests;

/// <summary>The parts of the Types metadata without a build: the probe's reading of clang's errors, type names in C, close names.</summary>
public sealed class TypesPiecesTests
{
    [Fact]
    public void ProbeTakesTheFirstKindClangAccepted()
    {
        var names = new[] { "event", "kind", "event_t", "nope" };
        // Probe lines: name i, kind k (struct, union, enum, typedef) at line 4*i + k + 1.
        var failed = new[] { 2, 3, 4, 5, 6, 8, 9, 10, 11, 13, 14, 15, 16 };
        var output = string.Join('\n', failed.Select(l => $"{TypeProbe.ProbeFileName}({l},26): error: something"))
                     + "\n/src/x.bpf.c(3,8): note: previous use is here\n";
        var outcome = TypeProbe.Interpret(names, output, exitCode: 1);
        Assert.False(outcome.SourceHasErrors);
        Assert.Equal(TypeKind.Struct, outcome.Kinds["event"]);
        Assert.Equal(TypeKind.Enum, outcome.Kinds["kind"]);
        Assert.Equal(TypeKind.Typedef, outcome.Kinds["event_t"]);
        Assert.Null(outcome.Kinds["nope"]);

        // An error anywhere else means the source itself does not compile.
        Assert.True(TypeProbe.Interpret(names, "/src/x.bpf.c(12,5): error: use of undeclared identifier 'y'", 1).SourceHasErrors);
        // clang failing without a located error (a crash, a missing header in another form): also the source.
        Assert.True(TypeProbe.Interpret(names, "clang: error: unable to execute command", 1).SourceHasErrors);
    }

    [Fact]
    public void ProbeAndWrapperTextNameEachTypeOnce()
    {
        var probe = TypeProbe.Text("/p/x.bpf.c", ["event"]);
        Assert.StartsWith("#include \"/p/x.bpf.c\"\n#line 1 \"<ebpf-types>\"\n", probe);
        Assert.Contains("sizeof(struct event)", probe);
        Assert.Contains("sizeof(union event)", probe);
        Assert.Contains("sizeof(enum event)", probe);
        Assert.Contains("sizeof(event)", probe);

        var wrapper = TypeAnchorFile.Text("/p/x.bpf.c", [("event", TypeKind.Struct), ("sample_t", TypeKind.Typedef)]);
        Assert.Contains("#include \"/p/x.bpf.c\"\n", wrapper);
        Assert.Contains("static const struct event *const __ebpf_type_event __attribute__((used, section(\".ebpf.types\")));", wrapper);
        Assert.Contains("static const sample_t *const __ebpf_type_sample_t __attribute__((used, section(\".ebpf.types\")));", wrapper);
    }

    [Fact]
    public void TypeNamesAreFoundInPreprocessedC()
    {
        const string c = """
            struct event { int a; };
            struct __attribute__((packed)) packed_one { char c; };
            enum kind { A, B };
            union addr { int v4; };
            typedef struct { int x; } sample_t, *sample_p;
            typedef unsigned int u32_t;
            static const char *s = "struct not_a_type {";
            int f(struct event *e) { typedef int local_t; return 0; }
            """;
        var names = CTypeNames.Scan(c);
        foreach (var expected in new[] { "event", "packed_one", "kind", "addr", "sample_t", "sample_p", "u32_t" })
            Assert.Contains(expected, names);
        Assert.DoesNotContain("not_a_type", names);
        Assert.DoesNotContain("s", names);
    }

    [Fact]
    public void CloseNamesAreRankedByDistanceAndBounded()
    {
        var known = new[] { "event", "events", "evt_hdr", "perf_event", "stats", "Event" };
        Assert.Equal(["Event", "event"], CloseNames.Find("evnt", known)); // equal distance: ordinal order
        Assert.Equal(["stats"], CloseNames.Find("stat", known));
        Assert.Empty(CloseNames.Find("totally_else", known));
        Assert.Equal(3, CloseNames.Distance("kitten", "sitting", 5));
        Assert.Equal(3, CloseNames.Distance("abcdef", "xyzabcdefxyz", 2)); // over the limit: limit + 1
    }
}
