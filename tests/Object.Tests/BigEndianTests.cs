using System.Buffers.Binary;
using Ebpf.TestKit;

namespace Ebpf.Object.Tests;

/// <summary>The same C compiled for bpfeb must read into the same model as for bpfel.</summary>
public class BigEndianTests
{
    [Theory]
    [InlineData("obj_features.bpf.c")]
    [InlineData("obj_core.bpf.c")]
    public void BigEndianObjectReadsToTheSameModel(string source)
    {
        var le = ObjectSpec.Parse(TestObjects.Bytes(source));
        var be = ObjectSpec.Parse(TestObjects.Bytes(source, "-target", "bpfeb"));
        Assert.True(le.IsLittleEndian);
        Assert.False(be.IsLittleEndian);
        Assert.False(be.Btf!.IsLittleEndian);
        Assert.Equal((le.License, le.KernelVersion), (be.License, be.KernelVersion));
        Assert.Equal(BtfDump.Render(le.Btf!), BtfDump.Render(be.Btf!));

        Assert.Equal(le.Maps.Select(Describe), be.Maps.Select(Describe));
        Assert.Equal(le.DataSections.Select(d => (d.Name, d.Kind, d.Size, d.DataSecTypeId)), be.DataSections.Select(d => (d.Name, d.Kind, d.Size, d.DataSecTypeId)));
        for (var i = 0; i < le.DataSections.Count; i++)
        {
            var l = le.DataSections[i];
            var b = be.DataSections[i];
            Assert.Equal(l.Variables.Select(v => (v.Name, v.Offset, v.Size, v.TypeId, v.IsConst, v.IsGlobal)),
                         b.Variables.Select(v => (v.Name, v.Offset, v.Size, v.TypeId, v.IsConst, v.IsGlobal)));
            // Scalars of 1, 2, 4 or 8 bytes hold the same value in the other byte order.
            foreach (var v in l.Variables.Where(v => v.Size is 1 or 2 or 4 or 8))
            {
                var lb = l.InitialValue.AsSpan((int)v.Offset, (int)v.Size).ToArray();
                var bb = b.InitialValue.AsSpan((int)v.Offset, (int)v.Size).ToArray();
                Array.Reverse(bb);
                Assert.Equal(lb, bb);
            }
        }

        Assert.Equal(le.Programs.Select(p => (p.Name, p.SectionName, p.Type, p.ExpectedAttachType, p.AttachType, p.AttachTarget, p.InstructionCount)),
                     be.Programs.Select(p => (p.Name, p.SectionName, p.Type, p.ExpectedAttachType, p.AttachType, p.AttachTarget, p.InstructionCount)));
        for (var i = 0; i < le.Programs.Count; i++)
        {
            var l = le.Programs[i];
            var b = be.Programs[i];
            Assert.Equal(Decode(l.Instructions, true), Decode(b.Instructions, false));
            Assert.Equal(l.References, b.References);
            Assert.Equal(l.FuncInfos, b.FuncInfos);
            Assert.Equal(l.LineInfos, b.LineInfos);
            Assert.Equal(l.CoreRelocations, b.CoreRelocations);
        }
    }

    private static string Describe(MapSpec m) =>
        $"{m.Name} {m.Type} {m.KeySize} {m.ValueSize} {m.MaxEntries} {m.Flags} {m.Pinning} {m.NumaNode} {m.MapExtra} {m.KeyTypeId} {m.ValueTypeId} " +
        $"{(m.InnerMap is null ? "-" : Describe(m.InnerMap))} [{string.Join(",", m.InitialSlots)}] {m.DataSection?.Name}";

    /// <summary>(code, dst, src, off, imm) per instruction; the register nibbles swap places between byte orders.</summary>
    private static List<(byte, int, int, short, int)> Decode(byte[] insns, bool le)
    {
        var result = new List<(byte, int, int, short, int)>();
        for (var i = 0; i < insns.Length; i += 8)
        {
            var regs = insns[i + 1];
            var s = insns.AsSpan(i);
            result.Add(le
                ? (insns[i], regs & 0xf, regs >> 4, BinaryPrimitives.ReadInt16LittleEndian(s[2..]), BinaryPrimitives.ReadInt32LittleEndian(s[4..]))
                : (insns[i], regs >> 4, regs & 0xf, BinaryPrimitives.ReadInt16BigEndian(s[2..]), BinaryPrimitives.ReadInt32BigEndian(s[4..])));
        }
        return result;
    }
}
