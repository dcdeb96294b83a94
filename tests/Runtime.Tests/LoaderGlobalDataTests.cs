using System.Runtime.InteropServices;
using Ebpf.Maps;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// Global data through <see cref="GlobalData"/>: .rodata set between Open and Load reaches the program and is
/// frozen afterwards; .data/.bss/.data.custom written by the program are read back through the memory mapping,
/// and written from C# are seen by the program.
/// </summary>
[Collection(KernelCollection.Name)]
public sealed class LoaderGlobalDataTests
{
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    private struct RtKey
    {
        [FieldOffset(0)] public uint Addr;
        [FieldOffset(4)] public ushort Port;
        [FieldOffset(6)] public ushort Proto;
    }

    [StructLayout(LayoutKind.Explicit, Size = 24)]
    private struct RtValue
    {
        [FieldOffset(0)] public ulong Packets;
        [FieldOffset(8)] public ulong Bytes;
        [FieldOffset(16)] public uint Flags;
    }

    private static int Offset(BpfObject obj, string section, string variable) =>
        (int)obj.Spec.DataSections.Single(d => d.Name == section).Variables.Single(v => v.Name == variable).Offset;

    [Fact]
    public void Globals_round_trip_between_CSharp_and_the_program()
    {
        Kernel.RequireRoot();
        using var obj = BpfObject.OpenFile(TestObjects.Compile("rt_loader.bpf.c"));
        var rodata = obj.GetGlobalData(".rodata");
        var data = obj.GetGlobalData(".data");
        var bss = obj.GetGlobalData(".bss");
        var custom = obj.GetGlobalData(".data.custom");

        // Before load: the initial image, as compiled, and changeable.
        Assert.Equal(7u, rodata.Read<uint>(Offset(obj, ".rodata", "rt_limit")));
        Assert.Equal(80, rodata.Read<RtKey>(Offset(obj, ".rodata", "rt_match")).Port);
        Assert.Equal(3ul, data.Read<ulong>(Offset(obj, ".data", "rt_seen")));
        rodata.Write(Offset(obj, ".rodata", "rt_limit"), 1000u);
        rodata.Write(Offset(obj, ".rodata", "rt_match"), new RtKey { Addr = 1, Port = 443, Proto = 17 });
        obj.Load();

        // The program saw the new constants, and its writes show through the mapping.
        var program = obj.GetProgram<XdpProgram>("xdp_count");
        var packet = new byte[64];
        for (var i = 0; i < 3; i++)
            Assert.Equal(XdpAction.Pass, program.TestRun(packet).XdpAction);
        Assert.Equal(6ul, data.Read<ulong>(Offset(obj, ".data", "rt_seen")));          // 3 + 3: below the limit, no tail call
        Assert.Equal(64ul, bss.Read<RtValue>(Offset(obj, ".bss", "rt_last")).Bytes);
        Assert.Equal(0ul, bss.Read<ulong>(Offset(obj, ".bss", "rt_dropped")));
        Assert.Equal(2u + 3u, custom.Read<uint>(Offset(obj, ".data.custom", "rt_custom") + 4));
        var flows = new HashMap<RtKey, RtValue>(obj.GetMap("flows"));
        var flow = flows.Lookup(new RtKey { Addr = 64, Port = 443, Proto = 17 });
        Assert.Equal(3ul, flow.Packets); // the first packet creates the entry with 1, two more add 1 each
        Assert.Equal(64ul * 3, flow.Bytes);

        // C# writes are seen by the program: push rt_seen over the limit and the tail call runs tail_target.
        data.Write(Offset(obj, ".data", "rt_seen"), 5000ul);
        program.TestRun(packet);
        Assert.Equal(1ul, bss.Read<ulong>(Offset(obj, ".bss", "rt_dropped")));

        // .rodata is frozen now.
        var e = Assert.Throws<InvalidOperationException>(() => rodata.Write(Offset(obj, ".rodata", "rt_limit"), 1u));
        Assert.Contains("read-only", e.Message);
        Assert.Equal(1000u, rodata.Read<uint>(Offset(obj, ".rodata", "rt_limit")));

        // After Dispose the mapping is gone: an exception, not a read of unmapped memory.
        obj.Dispose();
        Assert.Throws<ObjectDisposedException>(() => data.Read<ulong>(0));
        Assert.Throws<ObjectDisposedException>(() => bss.Write(0, 1ul));
    }

    [Fact]
    public void Out_of_range_access_names_the_section()
    {
        using var obj = BpfObject.OpenFile(TestObjects.Compile("rt_loader.bpf.c"));
        var data = obj.GetGlobalData(".data");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => data.Read<ulong>(data.Size - 4));
        Assert.Contains(".data", e.Message);
        Assert.Throws<KeyNotFoundException>(() => obj.GetGlobalData(".nope"));
    }

    [Fact]
    public void Map_sizes_can_change_until_load_and_not_after()
    {
        Kernel.RequireRoot();
        using var obj = BpfObject.OpenFile(TestObjects.Compile("rt_loader.bpf.c"));
        var flows = obj.GetMap("flows");
        flows.MaxEntries = 4096;
        obj.Load();
        Assert.Equal(4096u, Ebpf.Runtime.Tests.LoaderSupport.BpftoolOracle.Map(flows.Id).MaxEntries);
        Assert.Throws<InvalidOperationException>(() => flows.MaxEntries = 8);
    }
}
