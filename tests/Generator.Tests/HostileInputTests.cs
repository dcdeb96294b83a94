using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Ebpf.Generator.Emitting;
using Ebpf.Generator.Model;
using Ebpf.Generator.Tests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ebpf.Generator.Tests;

/// <summary>
/// Broken and crafted objects give a diagnostic or a skeleton that compiles, never an exception out of the
/// generator and never a hang; names from the object cannot inject code.
/// </summary>
public class HostileInputTests
{
    private static readonly TimeSpan perInputLimit = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData("", "EBPF002")]                      // zero-length object
    [InlineData("not base64 at all!", "EBPF001")]
    [InlineData("AAEC", "EBPF002")]                  // three bytes
    [InlineData("f0VMRgIBAQAAAAAAAAAAAA==", "EBPF002")] // an ELF header cut after 16 bytes
    public void BrokenTextGivesAnErrorDiagnosticAtTheCSource(string text, string id)
    {
        var input = ObjectInput.FromBytes([], "broken", "BrokenSkel") with { Text = text };
        var result = GeneratorHarness.Run(input);
        Assert.Empty(result.Sources);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal("/src/broken.bpf.c", diagnostic.Location.GetLineSpan().Path);
    }

    [Fact]
    public void WrongMagicAndTruncationsGiveDiagnostics()
    {
        var real = TestObjectBytes("gen_maps.bpf.c");
        var wrongMagic = (byte[])real.Clone();
        wrongMagic[1] = (byte)'X';
        var cases = new List<byte[]> { wrongMagic };
        for (var cut = 1; cut < real.Length; cut += Math.Max(1, real.Length / 97))
            cases.Add(real[..cut]);
        foreach (var bytes in cases)
        {
            var model = RunBounded(bytes);
            Assert.False(model.CanGenerate, $"a {bytes.Length}-byte prefix produced a skeleton");
            Assert.Contains(model.Diagnostics, d => d.Id == "EBPF002");
        }
    }

    [Fact]
    public void SeededRandomMutationsNeverThrowNorHangAndEverySkeletonCompiles()
    {
        var originals = new[] { TestObjectBytes("gen_maps.bpf.c"), TestObjectBytes("gen_globals.bpf.c") };
        var random = new Random(20261123);
        var outputs = new Dictionary<string, string>();
        var skeletons = new Dictionary<string, string>();
        var (generated, rejected) = (0, 0);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 3000; i++)
        {
            var bytes = Mutate(originals[i % originals.Length], random);
            var model = RunBounded(bytes);
            Assert.DoesNotContain(model.Diagnostics, d => d.Id == "EBPF099");
            if (!model.CanGenerate)
            {
                Assert.Contains(model.Diagnostics, d => Diagnostics.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error);
                rejected++;
                continue;
            }
            generated++;
            var types = SkeletonEmitter.EmitTypesOnly(model);
            outputs.TryAdd(Hash(types), types);
            var full = SkeletonEmitter.Emit(model);
            skeletons.TryAdd(Hash(full), full);
        }
        // Both outcomes must actually occur, or the mutations are not exercising anything.
        Assert.True(generated > 100 && rejected > 100, $"generated {generated}, rejected {rejected}");
        // One compilation for all distinct outputs (each moved to its own namespace) instead of one per output: the types
        // on their own, and the whole skeletons (maps, programs, globals, Open/Load) against the runtime.
        var problems = TestCompiler.Problems(TestCompiler.Create("Mutated", withRuntime: false, Renumbered(outputs.Values)));
        Assert.True(problems.Count == 0, "a mutated object's types do not compile:\n" + string.Join("\n", problems.Take(20)));
        problems = TestCompiler.Problems(TestCompiler.Create("MutatedSkeletons", withRuntime: true, Renumbered(skeletons.Values)));
        Assert.True(problems.Count == 0, "a mutated object's skeleton does not compile:\n" + string.Join("\n", problems.Take(20)));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{generated} generated, {rejected} rejected, {outputs.Count} distinct type sets and {skeletons.Count} distinct skeletons compiled, {watch.Elapsed}");
    }

    [Fact]
    public void MutatedObjectsThroughTheDriverNeverRaiseGeneratorExceptions()
    {
        var original = TestObjectBytes("gen_globals.bpf.c");
        var random = new Random(7);
        for (var i = 0; i < 150; i++)
        {
            var input = ObjectInput.FromBytes(Mutate(original, random), "mutated", "MutatedSkel");
            GeneratorHarness.Run(input); // throws when the driver caught an exception from the generator
        }
    }

    [Fact]
    public void HostileNamesCannotInjectCode()
    {
        var bytes = TestObjectBytes("gen_maps.bpf.c");
        // Same-length replacements in every string table (ELF symbols and BTF): a map, a struct, a member and a program.
        Replace(bytes, "events_by_slot", "a\");X();/*\n#eq");
        Replace(bytes, "gen_flow_key", "*/}\u2028X();//");
        Replace(bytes, "saddr", "<c>\r&");
        Replace(bytes, "xdp_count", "x\\\"\\u0022");
        var model = RunBounded(bytes);
        Assert.True(model.CanGenerate, string.Join("\n", model.Diagnostics));
        var source = SkeletonEmitter.Emit(model);
        var tree = CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(tree.GetDiagnostics(TestContext.Current.CancellationToken));
        var root = tree.GetRoot(TestContext.Current.CancellationToken);
        Assert.DoesNotContain(root.DescendantNodes().OfType<InvocationExpressionSyntax>(), i => i.Expression.ToString() == "X");
        Assert.DoesNotContain(root.DescendantTrivia(), t => t.IsKind(SyntaxKind.ErrorDirectiveTrivia) || t.IsKind(SyntaxKind.BadDirectiveTrivia));
        // The hostile map name reaches GetMap intact, as an escaped literal.
        var literal = root.DescendantNodes().OfType<LiteralExpressionSyntax>().Select(l => l.Token.ValueText);
        Assert.Contains("a\");X();/*\n#eq", literal);
        Assert.Contains("x\\\"\\u0022", literal);
        var problems = TestCompiler.Problems(TestCompiler.Create("Hostile", withRuntime: false, SkeletonEmitter.EmitTypesOnly(model)));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        problems = TestCompiler.Problems(TestCompiler.Create("HostileSkeleton", withRuntime: true, source));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static string[] Renumbered(IEnumerable<string> sources) =>
        sources.Select((source, i) => source.Replace("namespace Test\n", $"namespace Test{i}\n")
                                            .Replace("global::Test.FuzzSkel", $"global::Test{i}.FuzzSkel")).ToArray();

    private static SkeletonModel RunBounded(byte[] bytes)
    {
        var input = ObjectInput.FromBytes(bytes, "fuzz", "FuzzSkel");
        var task = Task.Run(() => Models.Parse(input), TestContext.Current.CancellationToken);
        Assert.True(task.Wait((int)perInputLimit.TotalMilliseconds, TestContext.Current.CancellationToken), $"the generator did not finish within {perInputLimit} on a {bytes.Length}-byte input");
        return task.Result;
    }

    /// <summary>1 to 8 random byte changes, half of them aimed at the BTF section where names and layouts live.</summary>
    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        var btf = bytes.AsSpan().IndexOf(new byte[] { 0x9f, 0xeb, 0x01 });
        var count = random.Next(1, 9);
        for (var k = 0; k < count; k++)
        {
            var at = btf >= 0 && random.Next(2) == 0 ? btf + random.Next(Math.Min(4096, bytes.Length - btf)) : random.Next(bytes.Length);
            bytes[at] = random.Next(4) switch
            {
                0 => (byte)random.Next(256),
                1 => (byte)(bytes[at] ^ (1 << random.Next(8))),
                2 => 0xff,
                _ => 0,
            };
        }
        return bytes;
    }

    private static void Replace(byte[] bytes, string from, string to)
    {
        var a = Encoding.UTF8.GetBytes(from);
        var b = Encoding.UTF8.GetBytes(to);
        Assert.True(a.Length == b.Length, $"'{to}' must be {a.Length} bytes in UTF-8");
        var found = 0;
        for (var i = bytes.AsSpan().IndexOf(a); i >= 0; i = bytes.AsSpan().IndexOf(a) is var j && j >= 0 ? j : -1, found++)
            b.CopyTo(bytes, i);
        Assert.True(found > 0, $"'{from}' is not in the object");
    }

    private static byte[] TestObjectBytes(string cFile) => Convert.FromBase64String(ObjectInput.ForTestObject(cFile).Text);

    private static string Hash(string s) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(s)));
}
