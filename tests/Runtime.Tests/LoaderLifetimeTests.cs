using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>Disposing the object frees every map and program it made; a failed load leaves nothing behind either.</summary>
[Collection(KernelCollection.Name)]
public sealed class LoaderLifetimeTests
{
    private static bool ProgramExists(uint id) => HostCommand.Run("bpftool", "prog", "show", "id", id.ToString()).Succeeded;

    private static bool MapExists(uint id) => HostCommand.Run("bpftool", "map", "show", "id", id.ToString()).Succeeded;

    private static List<uint> MapIdsNamed(string name)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(HostCommand.Check("bpftool", "map", "show", "-j"));
        return doc.RootElement.EnumerateArray().Where(m => m.GetProperty("name").GetString() == name)
                  .Select(m => m.GetProperty("id").GetUInt32()).ToList();
    }

    [Fact]
    public void Dispose_frees_every_map_and_program()
    {
        Kernel.RequireRoot();
        using var obj = TestObjects.Load("rt_loader.bpf.c"); // disposed below on purpose; the using covers a failed assertion
        var programIds = obj.Programs.Select(p => p.Id).ToList();
        var mapIds = obj.Maps.Select(m => m.Id).ToList();
        Assert.Equal(7, programIds.Count);
        Assert.All(programIds, id => Assert.True(ProgramExists(id)));
        Assert.All(mapIds, id => Assert.True(MapExists(id)));

        obj.Dispose();
        // The kernel frees them asynchronously (RCU): give it a moment.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((programIds.Any(ProgramExists) || mapIds.Any(MapExists)) && DateTime.UtcNow < deadline)
            Thread.Sleep(100);
        Assert.DoesNotContain(programIds, ProgramExists);
        Assert.DoesNotContain(mapIds, MapExists);
        Assert.Throws<ObjectDisposedException>(() => obj.GetProgram<XdpProgram>("xdp_count"));
    }

    [Fact]
    public void Failed_load_closes_what_it_created()
    {
        Kernel.RequireRoot();
        using var obj = BpfObject.OpenFile(TestObjects.Compile("rt_invalid.bpf.c"));
        var before = MapIdsNamed("counts");
        Assert.Throws<BpfVerifierException>(obj.Load);
        // The map was created before the program was refused; the failed load closed it again.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (MapIdsNamed("counts").Except(before).Any() && DateTime.UtcNow < deadline)
            Thread.Sleep(100);
        Assert.Empty(MapIdsNamed("counts").Except(before));
    }

    [Fact]
    public void Wrong_program_kind_and_unknown_names_are_explained()
    {
        Kernel.RequireRoot();
        using var obj = BpfObject.OpenFile(TestObjects.Compile("rt_loader.bpf.c"));
        Assert.Contains("only after Load", Assert.Throws<InvalidOperationException>(() => obj.GetProgram<XdpProgram>("xdp_count")).Message);
        obj.Load();
        var e = Assert.Throws<InvalidCastException>(() => obj.GetProgram<XdpProgram>("on_sockops"));
        Assert.Contains("SockOpsProgram", e.Message);
        Assert.IsType<SockOpsProgram>(obj.GetProgram<SockOpsProgram>("on_sockops"));
        Assert.Contains("xdp_count", Assert.Throws<KeyNotFoundException>(() => obj.GetProgram<XdpProgram>("nope")).Message);
        Assert.Contains("flows", Assert.Throws<KeyNotFoundException>(() => obj.GetMap("nope")).Message);
    }
}
