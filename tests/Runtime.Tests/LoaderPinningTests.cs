using Ebpf.Maps;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>LIBBPF_PIN_BY_NAME maps: pinned under the options' pin path, reused by the next load, refused when the shape differs.</summary>
[Collection(KernelCollection.Name)]
public sealed class LoaderPinningTests
{
    [Fact]
    public void Pinned_map_is_shared_between_loads()
    {
        Kernel.RequireRoot();
        using var pins = new BpfFs("pins");
        var options = new BpfObjectOptions { PinPath = pins.Path };
        var path = TestObjects.Compile("rt_pinned.bpf.c");

        using var first = BpfObject.OpenFile(path, options);
        first.Load();
        Assert.True(File.Exists(Path.Combine(pins.Path, "rt_shared")));
        new HashMap<uint, ulong>(first.GetMap("rt_shared")).Update(1, 41);

        using var second = BpfObject.OpenFile(path, options);
        second.Load();
        Assert.Equal(first.GetMap("rt_shared").Id, second.GetMap("rt_shared").Id);
        var packet = new byte[64];
        second.GetProgram<XdpProgram>("xdp_shared").TestRun(packet);
        Assert.Equal(42ul, new HashMap<uint, ulong>(first.GetMap("rt_shared")).Lookup(1));

        // Another shape under the same name: refused with the way out.
        using var third = BpfObject.OpenFile(path, options);
        third.GetMap("rt_shared").MaxEntries = 16;
        var e = Assert.Throws<BpfException>(third.Load);
        Assert.Contains("does not match", e.Message);
        Assert.Contains("rm " + Path.Combine(pins.Path, "rt_shared"), e.Message);
    }
}
