using Ebpf.Maps;
using Ebpf.Object;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.Runtime.Tests.CoreSupport;
using Ebpf.Runtime.Tests.EventsSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>Pinning programs, opening pinned maps and programs after their object is gone, and mounting bpffs.</summary>
[Collection(KernelCollection.Name)]
public sealed class PinningTests
{
    [Fact]
    public void EnsureMounted_mounts_bpffs_where_it_is_missing_once()
    {
        Kernel.RequireRoot();
        var dir = Path.Combine(Path.GetTempPath(), RunPrefix.NewName("bpffs"));
        Directory.CreateDirectory(dir);
        try
        {
            Assert.False(BpfFileSystem.IsBpfFs(dir));
            Assert.True(BpfFileSystem.EnsureMounted(dir));
            Assert.True(BpfFileSystem.IsBpfFs(dir));
            Assert.False(BpfFileSystem.EnsureMounted(dir));
        }
        finally
        {
            HostCommand.Run("umount", dir);
            Directory.Delete(dir);
        }
    }

    [Fact]
    public void A_pinned_program_outlives_its_object_and_opens_as_its_kind()
    {
        Kernel.RequireRoot();
        using var fs = new BpfFs("pinprog");
        var path = Path.Combine(fs.Path, "core_tgid");
        using (var obj = BpfObject.OpenFile(TestObjects.Compile("core_kernel.bpf.c")))
        {
            obj.Load();
            obj.GetProgram<RawTracepointProgram>("core_tgid").Pin(path);
        }
        using (var opened = BpfProgram.OpenPinned(path))
        {
            var raw = Assert.IsType<RawTracepointProgram>(opened);
            Assert.Equal("core_tgid", raw.Name);
            Assert.Equal((uint)Environment.ProcessId, CorePrograms.RunRawTracepoint(raw.Handle)); // the same code runs
        }
        BpfFileSystem.Unpin(path);
        Assert.False(File.Exists(path));
        var e = Assert.Throws<BpfException>(() => BpfProgram.OpenPinned(path));
        Assert.Contains("nothing is pinned there", e.Message);
    }

    [Fact]
    public void A_pinned_map_keeps_its_contents_and_opens_with_its_kernel_shape()
    {
        Kernel.RequireRoot();
        using var fs = new BpfFs("pinmap");
        var path = Path.Combine(fs.Path, "stats");
        using (var obj = EventPrograms.Load("ev_ringbuf.bpf.c"))
        {
            var stats = obj.GetMap("ev_ring_stats");
            stats.Update(BitConverter.GetBytes(1u), BitConverter.GetBytes(0x1234_5678_9abcUL));
            stats.Pin(path);
        }
        using var map = BpfMap.OpenPinned(path);
        Assert.Equal(MapType.Array, map.Type);
        Assert.Equal(4u, map.KeySize);
        Assert.Equal(8u, map.ValueSize);
        Assert.Equal(2u, map.MaxEntries);
        Assert.Equal(0x1234_5678_9abcUL, EventPrograms.ReadU64(map, 1));
        BpfFileSystem.Unpin(path);
    }

    [Fact]
    public void Unpin_refuses_files_outside_bpffs()
    {
        var file = Path.GetTempFileName();
        try
        {
            var e = Assert.Throws<IOException>(() => BpfFileSystem.Unpin(file));
            Assert.Contains("not in a BPF file system", e.Message);
            Assert.True(File.Exists(file));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
