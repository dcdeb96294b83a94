using Ebpf.Btf;

namespace Ebpf.Object.Tests;

/// <summary>BTF encodings that clang 14 does not emit on demand, written by hand: split BTF, enum64, signed
/// enums, decl/type tags, kind_flag bitfields, big-endian BTF, and references that must be rejected.</summary>
public class BtfEncodingTests
{
    private static byte[] Base() => new BtfBuilder()
        .Int("int", 4, 32, 1)                                   // [1]
        .Int("unsigned char", 1, 8, 0)                          // [2]
        .Struct("pair", 8, false, ("a", 1, 0), ("b", 1, 32))    // [3]
        .Build();

    [Fact]
    public void SplitBtfContinuesTheBaseIdsAndStrings()
    {
        var baseSpec = BtfSpec.Parse(Base());
        Assert.Equal(4, baseSpec.Count);
        var split = BtfSpec.Parse(new BtfBuilder(stringBase: baseSpec.StringsLength)
            .Ptr(3)                                             // [4] pair *
            .Struct("module_thing", 16, false, ("p", 4, 0), ("n", 1, 64))  // [5]
            .Typedef("pair_t", 3)                               // [6]: reuses no base string, adds its own
            .Build(), baseSpec);
        Assert.Same(baseSpec, split.Base);
        Assert.Equal(4u, split.FirstTypeId);
        Assert.Equal(7, split.Count);
        Assert.Equal("pair", split[3].Name);                    // base type through the split spec
        var thing = Assert.IsType<BtfComposite>(split[5]);
        Assert.Equal(("module_thing", "p", "n"), (thing.Name, thing.Members[0].Name, thing.Members[1].Name));
        Assert.Equal(8u, split.SizeOf(4));
        Assert.Equal(8u, split.SizeOf(6));
        Assert.Equal(new uint[] { 3 }, split.FindByName("pair").Select(t => t.Id));
        Assert.Equal(new uint[] { 5 }, split.FindByName("module_thing").Select(t => t.Id));
        Assert.Equal("pair_t", split[6].Name);                  // a string of the split section
        Assert.Equal("pair", split.GetString(FindOffset(baseSpec, "pair")));  // base strings through the split spec
    }

    private static uint FindOffset(BtfSpec btf, string s)
    {
        for (uint off = 0; off < btf.StringsLength; off++)
            if (btf.GetString(off) == s)
                return off;
        throw new InvalidOperationException(s);
    }

    [Fact]
    public void SplitBtfReferencesBeyondBothAreRejected()
    {
        var baseSpec = BtfSpec.Parse(Base());
        var e = Assert.Throws<ObjectFormatException>(() => BtfSpec.Parse(new BtfBuilder(stringBase: baseSpec.StringsLength).Ptr(9).Build(), baseSpec));
        Assert.Contains("type id 9", e.Message);
    }

    [Fact]
    public void Enum64AndSignedEnums()
    {
        var btf = BtfSpec.Parse(new BtfBuilder()
            .Enum64("big", false, ("HUGE", 0xfedcba9876543210UL), ("ONE", 1))
            .Enum64("sbig", true, ("MINUS", unchecked((ulong)-5L)))
            .Enum("small", true, ("NEG", -1), ("POS", 7))
            .Enum("usmall", false, ("TOP", unchecked((int)0xffffffff)))
            .Build());
        var big = Assert.IsType<BtfEnum>(btf[1]);
        Assert.Equal((BtfKind.Enum64, 8u, false), (big.Kind, big.Size, big.IsSigned));
        Assert.Equal(0xfedcba9876543210UL, unchecked((ulong)big.Values[0].Value));
        Assert.Equal(-5L, ((BtfEnum)btf[2]).Values[0].Value);
        var small = (BtfEnum)btf[3];
        Assert.Equal((BtfKind.Enum, true), (small.Kind, small.IsSigned));
        Assert.Equal(new long[] { -1, 7 }, small.Values.Select(v => v.Value));
        Assert.Equal(0xffffffffL, ((BtfEnum)btf[4]).Values[0].Value);
    }

    [Fact]
    public void TagsAndKindFlagBitfields()
    {
        var btf = BtfSpec.Parse(new BtfBuilder()
            .Int("unsigned int", 4, 32, 0)                                          // [1]
            .Struct("flags", 4, true, ("a", 1, (3u << 24) | 0), ("b", 1, (5u << 24) | 3), ("c", 1, 8))  // [2]
            .TypeTag("user", 1)                                                     // [3]
            .Ptr(3)                                                                 // [4]
            .DeclTag("kfunc", 2, -1)                                                // [5]
            .DeclTag("member", 2, 1)                                                // [6]
            .Const(1).Volatile(7).Typedef("cv_uint", 8)                             // [7] const, [8] volatile const, [9] typedef
            .Build());
        var flags = (BtfComposite)btf[2];
        Assert.Equal(new[] { (0u, 3u), (3u, 5u), (8u, 0u) }, flags.Members.Select(m => (m.BitOffset, m.BitfieldSize)));
        Assert.Equal((BtfKind.TypeTag, "user", 1u), (btf[3].Kind, btf[3].Name, ((BtfRef)btf[3]).TargetId));
        Assert.Equal(BtfKind.Int, btf.Resolve(3).Kind);
        Assert.Equal(8u, btf.SizeOf(4));
        var tag = (BtfDeclTag)btf[5];
        Assert.Equal((2u, -1), (tag.TargetId, tag.ComponentIndex));
        Assert.Equal(1, ((BtfDeclTag)btf[6]).ComponentIndex);
        Assert.True(btf.IsConst(9));          // typedef -> volatile -> const
        Assert.False(btf.IsConst(1));
        Assert.Equal(4u, btf.SizeOf(9));
    }

    [Fact]
    public void BigEndianBtfReadsTheSame()
    {
        BtfBuilder Build(bool le) => new BtfBuilder(le).Int("int", 4, 32, 1).Struct("s", 8, true, ("x", 1, (4u << 24) | 4)).Enum64("e", false, ("V", 1UL << 40));
        var le = BtfSpec.Parse(Build(true).Build());
        var be = BtfSpec.Parse(Build(false).Build(), littleEndian: false);
        Assert.False(be.IsLittleEndian);
        Assert.Equal(BtfDump.Render(le), BtfDump.Render(be));
        Assert.Contains("big-endian", Assert.Throws<ObjectFormatException>(() => BtfSpec.Parse(Build(false).Build())).Message);
    }

    [Theory]
    [InlineData(2, 0, 5u, "type id 5")]         // pointer to a type that does not exist
    [InlineData(20, 0, 0u, "unknown BTF kind 20")]
    [InlineData(1, 0, 3u, "size 3")]            // int of 3 bytes
    [InlineData(12, 5, 1u, "linkage 5")]        // func with linkage 5
    public void InvalidTypesAreRejected(int kind, int vlen, uint sizeOrType, string message)
    {
        var bytes = new BtfBuilder().Int("int", 4, 32, 1).Raw(kind, vlen, sizeOrType, kind == 1 ? new uint[] { 24 } : System.Array.Empty<uint>()).Build();
        Assert.Contains(message, Assert.Throws<ObjectFormatException>(() => BtfSpec.Parse(bytes)).Message);
    }

    [Fact]
    public void SizeOverflowIsAFormatError()
    {
        // [2] = int[0x10000000], [3] = [2][0x100]: 4 * 2^28 * 2^8 bytes does not fit 32 bits.
        var btf = BtfSpec.Parse(new BtfBuilder().Int("int", 4, 32, 1).Array(1, 1, 0x10000000).Array(2, 1, 0x100).Build());
        Assert.Contains("overflows", Assert.Throws<ObjectFormatException>(() => btf.SizeOf(3)).Message);
        Assert.Contains("no size", Assert.Throws<ObjectFormatException>(() => btf.SizeOf(0)).Message);
    }
}
