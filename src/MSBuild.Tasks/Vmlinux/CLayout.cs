using Ebpf.Btf;

namespace Ebpf.Build.Vmlinux;

/// <summary>
/// Decides how a struct is written so that clang (-target bpf) lays it out exactly as BTF says: which
/// structs need <c>__attribute__((packed))</c>, and where unnamed bitfields must fill gaps the natural
/// layout would not leave (e.g. members of a cacheline-aligned struct, or a struct's trailing padding).
/// </summary>
internal sealed class CLayout
{
    private readonly BtfSpec spec;
    private readonly Dictionary<uint, uint> alignCache = new();
    private readonly Dictionary<uint, bool> packedCache = new();

    public CLayout(BtfSpec spec) => this.spec = spec;

    /// <summary>A member's bitfield width, 0 when it is not a bitfield (kind_flag encoding or int encoding).</summary>
    public uint BitfieldWidth(BtfMember m) => spec.MemberBits(m).BitfieldSize;

    /// <summary>Alignment in bytes of the type as we write it (a packed struct has alignment 1).</summary>
    public uint AlignOf(uint typeId)
    {
        if (alignCache.TryGetValue(typeId, out var cached))
            return cached;
        var align = spec[typeId] switch
        {
            BtfInt i => Math.Max(1u, i.Size),
            BtfFloat f => Math.Max(1u, f.Size),
            BtfEnum e => Math.Max(1u, e.Size),
            BtfPtr => 8u,
            BtfArray a => AlignOf(a.ElementId),
            BtfRef r => AlignOf(r.TargetId),
            BtfComposite c => IsPacked(c) ? 1u : NaturalAlign(c),
            _ => 1u,
        };
        alignCache[typeId] = align;
        return align;
    }

    private uint NaturalAlign(BtfComposite c)
    {
        uint align = 1;
        foreach (var m in c.Members)
            align = Math.Max(align, AlignOf(m.TypeId));
        return align;
    }

    /// <summary>
    /// Packed when a member sits below its natural alignment or the size is not a multiple of the natural
    /// alignment: only <c>packed</c> lets clang reproduce such a layout.
    /// </summary>
    public bool IsPacked(BtfComposite c)
    {
        if (packedCache.TryGetValue(c.Id, out var cached))
            return cached;
        packedCache[c.Id] = false; // guards against malformed self-containing BTF
        var align = NaturalAlign(c);
        var packed = c.Size % align != 0;
        foreach (var m in c.Members)
        {
            if (packed)
                break;
            if (BitfieldWidth(m) == 0 && m.BitOffset % (AlignOf(m.TypeId) * 8) != 0)
                packed = true;
        }
        packedCache[c.Id] = packed;
        return packed;
    }

    /// <summary>Where clang would put the member if nothing were in between, given the previous member ended at <paramref name="bit"/>.</summary>
    public ulong NaturalOffset(ulong bit, BtfMember m, bool packed)
    {
        var width = BitfieldWidth(m);
        if (width == 0)
            return packed ? AlignUp(bit, 8) : AlignUp(bit, AlignOf(m.TypeId) * 8UL);
        if (packed)
            return bit;
        // SysV: a bitfield may not straddle a boundary of its declared type's size.
        var unit = spec.SizeOf(m.TypeId) * 8UL;
        return bit / unit == (bit + width - 1) / unit ? bit : AlignUp(bit, AlignOf(m.TypeId) * 8UL);
    }

    /// <summary>
    /// Unnamed bitfields that advance from <paramref name="from"/> to <paramref name="to"/> bits. Each piece
    /// stays inside one unit of its type, so clang places it exactly where we want; unnamed bitfields do not
    /// change the struct's alignment.
    /// </summary>
    public static IEnumerable<string> Padding(ulong from, ulong to)
    {
        var bit = from;
        while (bit < to)
        {
            var gap = to - bit;
            ulong width;
            string type;
            if (bit % 8 != 0 || gap < 8)
            {
                width = Math.Min(gap, 8 - bit % 8);
                type = "char";
            }
            else if (bit % 64 == 0 && gap >= 64) { width = 64; type = "long"; }
            else if (bit % 32 == 0 && gap >= 32) { width = 32; type = "int"; }
            else if (bit % 16 == 0 && gap >= 16) { width = 16; type = "short"; }
            else { width = 8; type = "char"; }
            yield return $"{type}: {width};";
            bit += width;
        }
    }

    public static ulong AlignUp(ulong value, ulong align) => align <= 1 ? value : (value + align - 1) / align * align;
}
