using System.Text.Json;
using Ebpf.Btf;
using Ebpf.Internal;
using Ebpf.Maps;
using Ebpf.Object;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// Maps carry the object's BTF so tools print typed entries (bpftool map dump's "formatted"), and a map whose
/// BTF the kernel refuses is created without it, as libbpf does.
/// </summary>
public sealed class MapsBtfTests
{
    [Fact]
    public void ObjectMapsCarryTheirKeyAndValueTypes()
    {
        Kernel.RequireRoot();
        using var obj = BpfObject.OpenFile(TestObjects.Compile("gen_maps.bpf.c"));
        obj.Load();
        var typed = 0;
        foreach (var map in obj.Maps)
        {
            var info = map.ReadInfo();
            if (MapCreator.HoldsDescriptors(map.Type) || map.Type is MapType.Queue or MapType.Stack or MapType.RingBuf)
            {
                Assert.Equal(0u, info.BtfValueTypeId); // libbpf passes no BTF for these kinds
                continue;
            }
            if (map.Spec.ValueTypeId == 0)
            {
                Assert.Equal(0u, info.BtfValueTypeId); // declared with key_size/value_size only: nothing to name
                continue;
            }
            Assert.NotEqual(0u, info.BtfId);
            Assert.Equal(map.Spec.KeyTypeId, info.BtfKeyTypeId);
            Assert.Equal(map.Spec.ValueTypeId, info.BtfValueTypeId);
            typed++;
        }
        Assert.True(typed >= 6, $"only {typed} maps were typed");

        // bpftool prints the entry with the C field names, which it can only know from the map's BTF.
        var flows = obj.GetMap("flows");
        var key = new byte[flows.KeySize];
        BitConverter.TryWriteBytes(key.AsSpan(8), (ushort)4242); // sport
        flows.Update(key, new byte[flows.ValueSize]);
        var dump = HostCommand.Check("bpftool", "map", "dump", "id", flows.Id.ToString(), "-j");
        using var doc = JsonDocument.Parse(dump);
        var formatted = doc.RootElement[0].GetProperty("formatted");
        Assert.Equal(4242, formatted.GetProperty("key").GetProperty("sport").GetInt32());
        Assert.True(formatted.GetProperty("value").ValueKind == JsonValueKind.Object, dump);
    }

    [Fact]
    public unsafe void MapIsCreatedWithoutBtfWhenTheKernelRefusesIt()
    {
        Kernel.RequireRoot();
        var spec = ObjectSpec.Parse(TestObjects.Bytes("gen_maps.bpf.c"));
        var flowsSpec = spec.FindMap("flows")!;
        using var btf = LoadBtf(spec.Btf!);

        // Right types: the kernel keeps them.
        using var good = new BpfMap(new MapSpec("t_btf_ok", MapType.Hash, flowsSpec.KeySize, flowsSpec.ValueSize, 4, 0,
                                                flowsSpec.KeyTypeId, flowsSpec.ValueTypeId));
        good.Attach(MapCreator.Create(good.Spec, btf, null));
        Assert.Equal(flowsSpec.KeyTypeId, good.ReadInfo().BtfKeyTypeId);

        // The value type's size does not match the map's value size: the kernel rejects the BTF, the map is made without it.
        using var bad = new BpfMap(new MapSpec("t_btf_bad", MapType.Hash, flowsSpec.KeySize, flowsSpec.ValueSize + 8, 4, 0,
                                               flowsSpec.KeyTypeId, flowsSpec.ValueTypeId));
        bad.Attach(MapCreator.Create(bad.Spec, btf, null));
        var info = bad.ReadInfo();
        Assert.Equal(0u, info.BtfKeyTypeId);
        Assert.Equal(0u, info.BtfValueTypeId);
        Assert.Equal(flowsSpec.ValueSize + 8, info.ValueSize);
    }

    private static unsafe BpfFd LoadBtf(BtfSpec btf)
    {
        fixed (byte* data = btf.RawBytes)
        {
            var attr = new BtfLoadAttr { Btf = (ulong)data, BtfSize = (uint)btf.RawBytes.Length };
            var fd = Sys.BtfLoad(ref attr, out var errno);
            Assert.True(fd is not null, $"BPF_BTF_LOAD failed: errno {errno}");
            return fd;
        }
    }
}
