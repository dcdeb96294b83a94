using Ebpf.Btf;
using Ebpf.Maps;
using Ebpf.TestKit;

namespace Ebpf.Object.Tests;

/// <summary>Parses tests/bpf/obj_features.bpf.c and checks the model against what the C source states.</summary>
public class ObjectFeaturesTests
{
    private static readonly Lazy<(string Path, ObjectSpec Spec)> features = new(() =>
    {
        var path = TestObjects.Compile("obj_features.bpf.c");
        return (path, ObjectSpec.Parse(File.ReadAllBytes(path)));
    });

    private static ObjectSpec Spec => features.Value.Spec;

    [Fact]
    public void LicenseAndVersion()
    {
        Assert.True(Spec.IsLittleEndian);
        Assert.Equal("Dual BSD/GPL", Spec.License);
        Assert.Equal(0x060c00u, Spec.KernelVersion);
        Assert.All(Spec.Programs, p => Assert.Equal("Dual BSD/GPL", p.License));
    }

    [Fact]
    public void BtfMapsInDeclarationOrderThenDataMaps()
    {
        Assert.Equal(new[] { "inner_a", "inner_b", "outer", "jumps", "flows", "counters", "events", "bloom",
                             ".rodata", ".data", ".data.custom", ".bss" },
                     Spec.Maps.Select(m => m.Name));
    }

    [Fact]
    public void HashMapWithTypedKeyAndValue()
    {
        var flows = Spec.FindMap("flows")!;
        Assert.Equal(MapType.Hash, flows.Type);
        Assert.Equal(1024u, flows.MaxEntries);
        Assert.Equal(16u, flows.KeySize);       // struct flow_key, padded
        Assert.Equal(24u, flows.ValueSize);     // two u64 and a word of bitfields
        Assert.Equal(1u, flows.Flags);          // BPF_F_NO_PREALLOC
        Assert.Equal(PinType.ByName, flows.Pinning);
        var btf = Spec.Btf!;
        Assert.Equal("flow_key", btf[flows.KeyTypeId].Name);
        Assert.Equal("flow_stats_t", btf[flows.ValueTypeId].Name);
        var stats = Assert.IsType<BtfComposite>(btf.Resolve(flows.ValueTypeId));
        Assert.Equal(new[] { ("packets", 0u, 0u), ("bytes", 64u, 0u), ("flag_a", 128u, 1u), ("flag_b", 129u, 3u), ("kind", 132u, 4u) },
                     stats.Members.Select(m => (m.Name, m.BitOffset, m.BitfieldSize)));
        Assert.Null(flows.InnerMap);
        Assert.Null(flows.DataSection);
    }

    [Fact]
    public void SizesOnlyMapHasNoTypeIds()
    {
        var counters = Spec.FindMap("counters")!;
        Assert.Equal(MapType.PerCpuArray, counters.Type);
        Assert.Equal((4u, 8u, 4u, 0u, 0u), (counters.KeySize, counters.ValueSize, counters.MaxEntries, counters.KeyTypeId, counters.ValueTypeId));
        var events = Spec.FindMap("events")!;
        Assert.Equal((MapType.RingBuf, 0u, 0u, 256u * 1024), (events.Type, events.KeySize, events.ValueSize, events.MaxEntries));
    }

    [Fact]
    public void MapExtraFromUlongEnum()
    {
        var bloom = Spec.FindMap("bloom")!;
        Assert.Equal(MapType.BloomFilter, bloom.Type);
        Assert.Equal(3ul, bloom.MapExtra);
        Assert.Equal(4u, bloom.ValueSize);
    }

    [Fact]
    public void MapOfMapsHasInnerTemplateAndInitialSlots()
    {
        var outer = Spec.FindMap("outer")!;
        Assert.Equal(MapType.ArrayOfMaps, outer.Type);
        Assert.Equal((4u, 4u, 4u), (outer.KeySize, outer.ValueSize, outer.MaxEntries));
        var inner = outer.InnerMap!;
        Assert.Equal("outer.inner", inner.Name);
        Assert.Equal((MapType.Array, 4u, 8u, 8u), (inner.Type, inner.KeySize, inner.ValueSize, inner.MaxEntries));
        Assert.Equal(new[] { new MapSlotInitializer(1, "inner_a"), new MapSlotInitializer(3, "inner_b") }, outer.InitialSlots);
        var jumps = Spec.FindMap("jumps")!;
        Assert.Equal(MapType.ProgArray, jumps.Type);
        Assert.Equal(new[] { new MapSlotInitializer(0, "tail_target") }, jumps.InitialSlots);
    }

    [Fact]
    public void DataMapsAreLikeLibbpfs()
    {
        var rodata = Spec.FindMap(".rodata")!;
        Assert.Equal((MapType.Array, 4u, 1u), (rodata.Type, rodata.KeySize, rodata.MaxEntries));
        Assert.Equal(MapSpec.FlagReadOnlyProg | MapSpec.FlagMmapable, rodata.Flags);
        Assert.Same(Spec.DataSections.Single(d => d.Name == ".rodata"), rodata.DataSection);
        Assert.Equal(rodata.DataSection!.Size, rodata.ValueSize);
        Assert.Equal(rodata.DataSection.DataSecTypeId, rodata.ValueTypeId);
        Assert.IsType<BtfDataSec>(Spec.Btf![rodata.ValueTypeId]);
        Assert.Equal(MapSpec.FlagMmapable, Spec.FindMap(".bss")!.Flags);
        Assert.Equal(MapSpec.FlagMmapable, Spec.FindMap(".data.custom")!.Flags);
    }

    [Fact]
    public void DataSectionsVariablesMatchTheSymbolTable()
    {
        var path = features.Value.Path;
        var symbols = Oracles.Symbols(path);
        var sections = Oracles.Sections(path);
        Assert.Equal(new[] { ".rodata", ".data", ".data.custom", ".bss" }, Spec.DataSections.Select(d => d.Name));
        foreach (var d in Spec.DataSections)
        {
            Assert.Equal(sections[d.Name].Size, d.Size);
            var index = sections[d.Name].Index.ToString();
            foreach (var v in d.Variables)
            {
                var sym = symbols.Single(s => s.Name == v.Name && s.Ndx == index);
                Assert.Equal(sym.Value, v.Offset);
                Assert.Equal(sym.Size, v.Size);
            }
            Assert.Equal(symbols.Count(s => s.Ndx == index && s.Type == "OBJECT"), d.Variables.Count);
        }
        var rodata = Spec.DataSections[0];
        Assert.Equal(DataSectionKind.ReadOnly, rodata.Kind);
        Assert.Equal(8080u, BitConverter.ToUInt32(rodata.InitialValue, (int)rodata.Variables.Single(v => v.Name == "cfg_port").Offset));
        Assert.Equal(2, rodata.InitialValue[rodata.Variables.Single(v => v.Name == "cfg_mode").Offset]);
        Assert.All(rodata.Variables, v => Assert.True(v.IsConst));
        var data = Spec.DataSections[1];
        Assert.Equal(DataSectionKind.Data, data.Kind);
        Assert.Equal(7ul, BitConverter.ToUInt64(data.InitialValue, 0));
        Assert.False(data.Variables.Single().IsConst);
        Assert.Equal(42ul, BitConverter.ToUInt64(Spec.DataSections[2].InitialValue, 0));
        var bss = Spec.DataSections[3];
        Assert.Equal(DataSectionKind.Bss, bss.Kind);
        Assert.All(bss.InitialValue, b => Assert.Equal(0, b));
        Assert.Equal(new[] { "big_table", "drops", "static_counter" }, bss.Variables.OrderBy(v => v.Name).Select(v => v.Name));
        Assert.Equal(bss.Variables.OrderBy(v => v.Offset), bss.Variables);
        Assert.False(bss.Variables.Single(v => v.Name == "static_counter").IsGlobal);
        Assert.True(bss.Variables.Single(v => v.Name == "drops").IsGlobal);
        Assert.Equal(64u, bss.Variables.Single(v => v.Name == "big_table").Size);
        Assert.Equal(64u, Spec.Btf!.SizeOf(bss.Variables.Single(v => v.Name == "big_table").TypeId));
    }

    [Fact]
    public void DatasecSizesAndOffsetsAreFixedUpInTheRawBtf()
    {
        // clang writes DATASEC size 0; the reader fills them in (in RawBytes too, for BPF_BTF_LOAD).
        var raw = Oracles.Run("bpftool", "btf", "dump", "file", features.Value.Path);
        Assert.Contains("DATASEC '.bss' size=0", raw);
        var reparsed = BtfSpec.Parse(Spec.Btf!.RawBytes);
        foreach (var d in Spec.DataSections)
        {
            var ds = reparsed.Find<BtfDataSec>(d.Name)!;
            Assert.Equal(d.Size, ds.Size);
            Assert.Equal(d.Variables.Select(v => v.Offset), ds.Vars.Select(v => v.Offset));
        }
    }

    [Fact]
    public void ProgramsAreTheGlobalFunctionsOutsideText()
    {
        Assert.Equal(new[] { "on_connect4", "on_exec", "on_sockops", "tail_target", "xdp_main" }, Spec.Programs.Select(p => p.Name).Order());
        // Section order, then offset order within a section.
        var symbols = Oracles.Symbols(features.Value.Path);
        var sections = Oracles.Sections(features.Value.Path);
        var expected = symbols.Where(s => s.Type == "FUNC" && s.Bind == "GLOBAL" && s.Ndx != sections[".text"].Index.ToString())
                              .OrderBy(s => int.Parse(s.Ndx)).ThenBy(s => s.Value).Select(s => s.Name);
        Assert.Equal(expected, Spec.Programs.Select(p => p.Name));
        var xdp = Spec.FindProgram("xdp_main")!;
        Assert.Equal(("xdp", ProgramType.Xdp, AttachType.Xdp, AttachType.Xdp), (xdp.SectionName, xdp.Type, xdp.ExpectedAttachType, xdp.AttachType));
        var exec = Spec.FindProgram("on_exec")!;
        Assert.Equal((ProgramType.Tracepoint, "sched/sched_process_exec"), (exec.Type, exec.AttachTarget));
        var connect = Spec.FindProgram("on_connect4")!;
        Assert.Equal(("cgroup/connect4", ProgramType.CgroupSockAddr, AttachType.CgroupInet4Connect), (connect.SectionName, connect.Type, connect.ExpectedAttachType));
        Assert.False(connect.AutoLoad);
        Assert.True(connect.HasAttachType);
        Assert.True(xdp.AutoLoad);
        Assert.Null(Spec.FindProgram("global_helper"));
    }

    [Fact]
    public void ProgramsAreLinkedWithTheirSubprograms()
    {
        var symbols = Oracles.Symbols(features.Value.Path);
        long Insns(string name) => (long)symbols.Single(s => s.Name == name).Size / 8;
        var xdp = Spec.FindProgram("xdp_main")!;
        // xdp_main calls static_helper, which calls global_helper, and passes loop_cb to bpf_loop.
        Assert.Equal(Insns("xdp_main") + Insns("static_helper") + Insns("global_helper") + Insns("loop_cb"), xdp.InstructionCount);
        var tail = Spec.FindProgram("tail_target")!;
        Assert.Equal(Insns("tail_target"), tail.InstructionCount);
        var exec = Spec.FindProgram("on_exec")!;
        Assert.Equal(Insns("on_exec") + Insns("global_helper"), exec.InstructionCount);

        // One func_info per function in the layout, at the function's start, in instruction units.
        Assert.Equal(4, xdp.FuncInfos.Count);
        Assert.Equal(0u, xdp.FuncInfos[0].InstructionOffset);
        Assert.Equal("xdp_main", Spec.Btf![xdp.FuncInfos[0].TypeId].Name);
        var starts = xdp.FuncInfos.Select(f => (int)f.InstructionOffset).ToArray();
        Assert.Equal(starts.Order(), starts);

        // Every bpf-to-bpf call and callback address now points at the start of a function in the layout.
        foreach (var p in Spec.Programs)
        {
            var funcStarts = p.FuncInfos.Select(f => (int)f.InstructionOffset).ToHashSet();
            for (var i = 0; i < p.InstructionCount; i++)
            {
                var code = p.Instructions[i * 8];
                var src = p.Instructions[i * 8 + 1] >> 4;
                var imm = BitConverter.ToInt32(p.Instructions, i * 8 + 4);
                if ((code == 0x85 && src == 1) || (code == 0x18 && src == 4))
                    Assert.Contains(i + imm + 1, funcStarts);
                if (code == 0x18)
                    i++;
            }
            Assert.Equal(p.FuncInfos.Count, p.FuncInfos.Select(f => f.TypeId).Distinct().Count());
            Assert.NotEmpty(p.LineInfos);
            Assert.All(p.LineInfos, l => Assert.InRange((int)l.InstructionOffset, 0, p.InstructionCount - 1));
            Assert.Equal(0u, p.LineInfos[0].InstructionOffset);
        }
    }

    [Fact]
    public void ReferencesNameMapsAndGlobals()
    {
        var xdp = Spec.FindProgram("xdp_main")!;
        var refs = xdp.References;
        Assert.All(refs, r => Assert.Equal(0x18, xdp.Instructions[r.InstructionIndex * 8]));
        Assert.Contains(refs, r => r is { Kind: ReferenceKind.Map, Symbol: "flows" });
        Assert.Contains(refs, r => r is { Kind: ReferenceKind.Map, Symbol: "jumps" });
        var bss = Spec.DataSections.Single(d => d.Name == ".bss");
        var bigTable = bss.Variables.Single(v => v.Name == "big_table");
        // big_table[3] = ...: a reference into .bss at the variable's offset (+12 if clang folds the index in).
        Assert.Contains(refs, r => r.Kind == ReferenceKind.MapValue && r.Symbol == ".bss" && r.Offset >= bigTable.Offset && r.Offset <= bigTable.Offset + 12);
        var staticCounter = bss.Variables.Single(v => v.Name == "static_counter");
        Assert.Contains(refs, r => r is { Kind: ReferenceKind.MapValue, Symbol: ".bss" } && r.Offset == staticCounter.Offset);
        var drops = bss.Variables.Single(v => v.Name == "drops");
        Assert.Contains(refs, r => r is { Kind: ReferenceKind.MapValue, Symbol: ".bss" } && r.Offset == drops.Offset);
        Assert.Contains(refs, r => r is { Kind: ReferenceKind.MapValue, Symbol: ".data", Offset: 0 });
        Assert.Contains(refs, r => r is { Kind: ReferenceKind.MapValue, Symbol: ".data.custom", Offset: 0 });
        Assert.Contains(refs, r => r is { Kind: ReferenceKind.MapValue, Symbol: ".rodata" });
        Assert.Contains(Spec.FindProgram("tail_target")!.References, r => r is { Kind: ReferenceKind.Map, Symbol: "counters" });
        Assert.Contains(Spec.FindProgram("on_exec")!.References, r => r is { Kind: ReferenceKind.Map, Symbol: "events" });
    }
}
