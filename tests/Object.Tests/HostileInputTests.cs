using System.Buffers.Binary;
using System.Diagnostics;
using Ebpf.Btf;
using Ebpf.Object.Elf;
using Ebpf.TestKit;

namespace Ebpf.Object.Tests;

/// <summary>
/// Malformed input must give an <see cref="ObjectFormatException"/> (or a successful parse), never another
/// exception, never a hang. Each test has a timeout; the mutations are seeded so a failure reproduces.
/// </summary>
public class HostileInputTests(ITestOutputHelper output)
{
    private static readonly Lazy<byte[]> small = new(() => TestObjects.Bytes("obj_core.bpf.c"));
    private static readonly Lazy<byte[]> features = new(() => TestObjects.Bytes("obj_features.bpf.c"));
    private static readonly Lazy<byte[]> bigEndian = new(() => TestObjects.Bytes("obj_core.bpf.c", "-target", "bpfeb"));

    [Fact]
    public void EmptyInput()
    {
        var e = Assert.Throws<ObjectFormatException>(() => ObjectSpec.Parse(ReadOnlySpan<byte>.Empty));
        Assert.Contains("shorter than", e.Message);
        Assert.Throws<ObjectFormatException>(() => BtfSpec.Parse(ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void WrongMagic()
    {
        var bytes = (byte[])small.Value.Clone();
        bytes[1] = (byte)'X';
        Assert.Contains("not an ELF object", Assert.Throws<ObjectFormatException>(() => ObjectSpec.Parse(bytes)).Message);
    }

    [Fact]
    public void WrongMachineNamesTheFix()
    {
        var bytes = (byte[])small.Value.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(18), 62); // EM_X86_64
        Assert.Contains("-target bpf", Assert.Throws<ObjectFormatException>(() => ObjectSpec.Parse(bytes)).Message);
    }

    [Fact]
    public void Elf32IsRejected()
    {
        var bytes = (byte[])small.Value.Clone();
        bytes[4] = 1;
        Assert.Contains("ELFCLASS64", Assert.Throws<ObjectFormatException>(() => ObjectSpec.Parse(bytes)).Message);
    }

    [Fact]
    public void LegacyMapsSectionIsRejectedWithTheFix()
    {
        var bytes = (byte[])features.Value.Clone();
        // Point the '.maps' section header's name one byte further: "maps", the legacy name.
        var maps = ElfFile.Parse(bytes).FindSection(".maps")!;
        var header = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(40)) + maps.Index * 64;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(header), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(header)) + 1);
        Assert.Contains("SEC(\".maps\")", Assert.Throws<ObjectFormatException>(() => ObjectSpec.Parse(bytes)).Message);
    }

    [Fact(Timeout = 60_000)]
    public async Task TruncatedAtEveryLength()
    {
        await Task.Yield();
        var bytes = small.Value;
        var worst = TimeSpan.Zero;
        var cancel = TestContext.Current.CancellationToken;
        for (var n = 0; n < bytes.Length; n++)
        {
            cancel.ThrowIfCancellationRequested();
            var sw = Stopwatch.StartNew();
            AssertOnlyFormatErrors(bytes.AsSpan(0, n).ToArray(), $"truncated to {n} bytes", mustFail: true);
            worst = sw.Elapsed > worst ? sw.Elapsed : worst;
        }
        output.WriteLine($"{bytes.Length} truncations, slowest {worst.TotalMilliseconds:F2} ms");
    }

    /// <summary>
    /// Mutations aimed at the parts that have structure (ELF header, section headers, symbols, relocations,
    /// BTF, BTF.ext, .maps, code): a random byte, or a 32-bit word set to a boundary value.
    /// </summary>
    [Fact(Timeout = 60_000)]
    public async Task SeededRandomMutations()
    {
        await Task.Yield();
        foreach (var (name, original) in new[] { ("obj_core", small.Value), ("obj_features", features.Value), ("obj_core big-endian", bigEndian.Value) })
        {
            var regions = StructuredRegions(original);
            var random = new Random(20261123);
            int ok = 0, rejected = 0;
            var worst = TimeSpan.Zero;
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < 2500; i++)
            {
                TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
                var bytes = (byte[])original.Clone();
                var mutations = 1 + random.Next(3);
                for (var m = 0; m < mutations; m++)
                    Mutate(bytes, regions[random.Next(regions.Count)], random);
                var one = Stopwatch.StartNew();
                if (AssertOnlyFormatErrors(bytes, $"{name} mutation #{i}", mustFail: false)) ok++; else rejected++;
                worst = one.Elapsed > worst ? one.Elapsed : worst;
            }
            output.WriteLine($"{name}: 2500 mutants, {ok} parsed, {rejected} rejected, {sw.ElapsedMilliseconds} ms, slowest {worst.TotalMilliseconds:F1} ms");
            Assert.True(rejected > 100 && ok > 100, "the mutations should exercise both outcomes");
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task MutatedBtfNeverEscapesOrLoops()
    {
        await Task.Yield();
        var spec = ObjectSpec.Parse(features.Value);
        var original = spec.Btf!.RawBytes;
        var random = new Random(7);
        int ok = 0;
        for (var i = 0; i < 3000; i++)
        {
            TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
            var bytes = (byte[])original.Clone();
            for (var m = 0; m < 1 + random.Next(3); m++)
                Mutate(bytes, (24, bytes.Length - 24), random);
            try
            {
                var btf = BtfSpec.Parse(bytes);
                ok++;
                // Walk the whole graph: mutated references may form cycles (typedef to itself, array of itself).
                for (uint id = 0; id < btf.Count; id++)
                {
                    Try(() => btf.SizeOf(id));
                    Try(() => btf.Resolve(id));
                    Try(() => btf.IsConst(id));
                }
            }
            catch (ObjectFormatException e)
            {
                Assert.Null(e.InnerException);
            }
        }
        Assert.True(ok > 100);
    }

    [Fact]
    public void TypedefCycleIsDetected()
    {
        // [1] typedef 'a' -> [2], [2] typedef 'b' -> [1]
        var btf = BtfSpec.Parse(new BtfBuilder().Typedef("a", 2).Typedef("b", 1).Build());
        Assert.Contains("cycle", Assert.Throws<ObjectFormatException>(() => btf.Resolve(1)).Message);
        Assert.Contains("cycle", Assert.Throws<ObjectFormatException>(() => btf.SizeOf(2)).Message);
        Assert.Contains("cycle", Assert.Throws<ObjectFormatException>(() => btf.IsConst(1)).Message);
    }

    private static void Try(Action a)
    {
        try { a(); }
        catch (ObjectFormatException e) { Assert.Null(e.InnerException); }
    }

    private static bool AssertOnlyFormatErrors(byte[] bytes, string what, bool mustFail)
    {
        try
        {
            ObjectSpec.Parse(bytes);
            Assert.False(mustFail, $"{what}: parsed although it should not");
            return true;
        }
        catch (ObjectFormatException e)
        {
            // An inner exception means a bounds check was missing and the safety net caught a runtime error.
            Assert.True(e.InnerException is null, $"{what}: {e.InnerException}");
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            return false;
        }
    }

    private static void Mutate(byte[] bytes, (int Start, int Length) region, Random random)
    {
        if (region.Length <= 0)
            return;
        var at = region.Start + random.Next(region.Length);
        switch (random.Next(4))
        {
            case 0:
                bytes[at] = (byte)random.Next(256);
                break;
            case 1:
                bytes[at] ^= (byte)(1 << random.Next(8));
                break;
            default:
                at &= ~3;
                if (at + 4 > bytes.Length)
                    return;
                uint[] boundary = { 0, 1, 2, 3, 8, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff8, (uint)bytes.Length, (uint)bytes.Length + 1 };
                var value = random.Next(3) == 0 ? (uint)random.Next() : boundary[random.Next(boundary.Length)];
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), value);
                break;
        }
    }

    /// <summary>The byte ranges worth mutating: headers, tables and the BPF-specific sections (not DWARF).</summary>
    private static List<(int Start, int Length)> StructuredRegions(byte[] bytes)
    {
        var elf = ElfFile.Parse(bytes);
        var shoff = (int)(elf.IsLittleEndian ? BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(40)) : BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(40)));
        var regions = new List<(int, int)> { (0, 64), (shoff, elf.Sections.Count * 64) };
        foreach (var s in elf.Sections)
            if (s.Index != 0 && s.Type != ElfSectionType.NoBits && !s.Name.StartsWith(".debug", StringComparison.Ordinal) && !s.Name.StartsWith(".rel.debug", StringComparison.Ordinal))
                regions.Add(((int)s.Offset, (int)s.Size));
        return regions;
    }
}
