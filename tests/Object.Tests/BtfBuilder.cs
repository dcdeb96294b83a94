using System.Buffers.Binary;
using System.Text;

namespace Ebpf.Object.Tests;

/// <summary>Writes BTF by hand, for kinds and encodings clang does not produce on demand (split BTF, enum64,
/// tags, kind_flag members) and for malformed cases.</summary>
internal sealed class BtfBuilder
{
    private readonly List<uint> words = new();
    private readonly MemoryStream strings = new();
    private readonly Dictionary<string, uint> offsets = new();
    private readonly uint stringBase;
    private readonly bool le;

    /// <summary><paramref name="stringBase"/>: the base BTF's string length, for split BTF.</summary>
    public BtfBuilder(bool littleEndian = true, uint stringBase = 0)
    {
        le = littleEndian;
        this.stringBase = stringBase;
        if (stringBase == 0)
            strings.WriteByte(0);
    }

    public uint Str(string s)
    {
        if (s.Length == 0 && stringBase == 0)
            return 0;
        if (offsets.TryGetValue(s, out var off))
            return off;
        off = stringBase + (uint)strings.Length;
        var b = Encoding.UTF8.GetBytes(s);
        strings.Write(b);
        strings.WriteByte(0);
        offsets[s] = off;
        return off;
    }

    private BtfBuilder Type(string name, int kind, int vlen, bool kflag, uint sizeOrType, params uint[] extra)
    {
        words.Add(Str(name));
        words.Add((uint)vlen | ((uint)kind << 24) | (kflag ? 1u << 31 : 0));
        words.Add(sizeOrType);
        words.AddRange(extra);
        return this;
    }

    public BtfBuilder Int(string name, uint size, uint bits, uint encoding) => Type(name, 1, 0, false, size, (encoding << 24) | bits);
    public BtfBuilder Ptr(uint target) => Type("", 2, 0, false, target);
    public BtfBuilder Array(uint elem, uint index, uint n) => Type("", 3, 0, false, 0, elem, index, n);
    public BtfBuilder Struct(string name, uint size, bool kflag, params (string Name, uint Type, uint Offset)[] members)
    {
        var extra = new List<uint>();
        foreach (var m in members) { extra.Add(Str(m.Name)); extra.Add(m.Type); extra.Add(m.Offset); }
        return Type(name, 4, members.Length, kflag, size, extra.ToArray());
    }
    public BtfBuilder Enum64(string name, bool signed, params (string Name, ulong Value)[] values)
    {
        var extra = new List<uint>();
        foreach (var v in values) { extra.Add(Str(v.Name)); extra.Add((uint)v.Value); extra.Add((uint)(v.Value >> 32)); }
        return Type(name, 19, values.Length, signed, 8, extra.ToArray());
    }
    public BtfBuilder Enum(string name, bool signed, params (string Name, int Value)[] values)
    {
        var extra = new List<uint>();
        foreach (var v in values) { extra.Add(Str(v.Name)); extra.Add(unchecked((uint)v.Value)); }
        return Type(name, 6, values.Length, signed, 4, extra.ToArray());
    }
    public BtfBuilder Typedef(string name, uint target) => Type(name, 8, 0, false, target);
    /// <summary>A FUNC (linkage 1: global) of FUNC_PROTO <paramref name="proto"/>.</summary>
    public BtfBuilder Func(string name, uint proto, int linkage = 1) => Type(name, 12, linkage, false, proto);
    public BtfBuilder Const(uint target) => Type("", 10, 0, false, target);
    public BtfBuilder Volatile(uint target) => Type("", 9, 0, false, target);
    public BtfBuilder TypeTag(string name, uint target) => Type(name, 18, 0, false, target);
    public BtfBuilder DeclTag(string name, uint target, int component) => Type(name, 17, 0, false, target, unchecked((uint)component));
    public BtfBuilder Raw(int kind, int vlen, uint sizeOrType, params uint[] extra) => Type("", kind, vlen, false, sizeOrType, extra);

    public byte[] Build()
    {
        var typeBytes = words.Count * 4;
        var str = strings.ToArray();
        var result = new byte[24 + typeBytes + str.Length];
        void U16(int at, ushort v) { if (le) BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(at), v); else BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(at), v); }
        void U32(int at, uint v) { if (le) BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(at), v); else BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(at), v); }
        U16(0, 0xEB9F);
        result[2] = 1;
        U32(4, 24);
        U32(8, 0);
        U32(12, (uint)typeBytes);
        U32(16, (uint)typeBytes);
        U32(20, (uint)str.Length);
        for (var i = 0; i < words.Count; i++)
            U32(24 + i * 4, words[i]);
        str.CopyTo(result, 24 + typeBytes);
        return result;
    }
}
