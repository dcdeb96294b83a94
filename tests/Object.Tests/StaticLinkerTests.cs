using Ebpf.TestKit;

namespace Ebpf.Object.Tests;

/// <summary>
/// An object that went through libbpf's static linker (`bpftool gen object`) has DATASEC sizes and offsets
/// already filled in, sections merged and renumbered, and no DWARF: it must read to the same model.
/// </summary>
public class StaticLinkerTests
{
    [Theory]
    [InlineData("obj_features.bpf.c")]
    [InlineData("obj_core.bpf.c")]
    public void LinkedObjectReadsToTheSameModel(string source)
    {
        var path = TestObjects.Compile(source);
        var linked = Path.Combine(Path.GetTempPath(), $"obj-linked-{Environment.ProcessId}-{Path.GetFileNameWithoutExtension(source)}.o");
        try
        {
            Oracles.Run("bpftool", "gen", "object", linked, path);
            var a = ObjectSpec.Parse(File.ReadAllBytes(path));
            var b = ObjectSpec.Parse(File.ReadAllBytes(linked));
            Assert.Contains("DATASEC '.bss' size=" + a.DataSections.Single(d => d.Name == ".bss").Size, Oracles.Run("bpftool", "btf", "dump", "file", linked));
            Assert.Equal(a.Maps.Select(m => (m.Name, m.Type, m.KeySize, m.ValueSize, m.MaxEntries, m.Flags, m.InitialSlots.Count)),
                         b.Maps.Select(m => (m.Name, m.Type, m.KeySize, m.ValueSize, m.MaxEntries, m.Flags, m.InitialSlots.Count)));
            Assert.Equal(a.DataSections.Select(d => (d.Name, d.Size, string.Join(",", d.Variables.Select(v => (v.Name, v.Offset, v.Size, v.IsConst, v.IsGlobal))))),
                         b.DataSections.Select(d => (d.Name, d.Size, string.Join(",", d.Variables.Select(v => (v.Name, v.Offset, v.Size, v.IsConst, v.IsGlobal))))));
            Assert.Equal(a.Programs.Select(p => (p.Name, p.SectionName, p.Type, p.InstructionCount, p.FuncInfos.Count, p.LineInfos.Count, p.CoreRelocations.Count)),
                         b.Programs.Select(p => (p.Name, p.SectionName, p.Type, p.InstructionCount, p.FuncInfos.Count, p.LineInfos.Count, p.CoreRelocations.Count)));
            for (var i = 0; i < a.Programs.Count; i++)
            {
                Assert.Equal(a.Programs[i].Instructions, b.Programs[i].Instructions);
                Assert.Equal(a.Programs[i].References.Select(r => (r.InstructionIndex, r.Kind, r.Symbol, r.Offset)),
                             b.Programs[i].References.Select(r => (r.InstructionIndex, r.Kind, r.Symbol, r.Offset)));
                Assert.Equal(a.Programs[i].CoreRelocations.Select(c => (c.InstructionOffset, c.AccessString, c.Kind)),
                             b.Programs[i].CoreRelocations.Select(c => (c.InstructionOffset, c.AccessString, c.Kind)));
            }
        }
        finally
        {
            File.Delete(linked);
        }
    }
}
