using Ebpf.Internal;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>The one mountinfo parser, the public <see cref="KernelMounts"/> over it, and the one cpu-list parser.</summary>
public class KernelMountsTests
{
    [Fact]
    public void MountinfoLinesAreSplitAtTheSeparatorAndUnescaped()
    {
        // Optional fields ("shared:7 master:1") vary in number; paths escape space, tab and backslash as octal.
        var entry = MountInfo.ParseLine(@"36 35 98:0 /mnt1 /mnt/my\040pins\011x\134y rw,noatime shared:7 master:1 - bpf bpf rw,mode=700");
        Assert.Equal(new MountEntry("/mnt/my pins\tx\\y", "bpf", "bpf"), entry);
        var plain = MountInfo.ParseLine("30 1 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw");
        Assert.Equal(new MountEntry("/sys/fs/cgroup", "cgroup2", "cgroup2"), plain);
        Assert.Null(MountInfo.ParseLine("not a mountinfo line"));
        Assert.Null(MountInfo.ParseLine(""));
    }

    [Fact]
    public void Cgroup2RootIsTheCgroupV2Hierarchy()
    {
        var root = KernelMounts.Cgroup2Root;
        Assert.NotNull(root);
        // Every cgroup v2 directory has cgroup.controllers; a v1 hierarchy or a plain directory has not.
        Assert.True(File.Exists(Path.Combine(root, "cgroup.controllers")), $"{root} is not a cgroup v2 directory");
        Assert.Contains(root, KernelMounts.MountPointsOf("cgroup2"));
    }

    [Fact]
    public void BpfFsMountsListsEveryBpfFileSystem()
    {
        var mounted = BpfFs.EnsureMounted();
        var mounts = KernelMounts.BpfFsMounts;
        Assert.Contains(mounted, mounts);
        Assert.All(mounts, m => Assert.True(BpfFileSystem.IsBpfFs(m), $"{m} is listed but is not a bpffs"));
        Assert.Empty(KernelMounts.MountPointsOf("no-such-fs"));
    }

    [Fact]
    public void CpuListsAreParsed()
    {
        Assert.Equal([0, 2, 3, 4, 5, 9], CpuList.Parse("0,2-5,9\n"));
        Assert.Equal([0], CpuList.Parse("0"));
        Assert.Throws<FormatException>(() => CpuList.Parse("x"));
        Assert.Throws<FormatException>(() => CpuList.Parse("3-1"));
        Assert.Throws<FormatException>(() => CpuList.Parse("\n"));
        Assert.True(Environment.ProcessorCount <= CpuList.PossibleCount);
        Assert.Contains(0, CpuList.Online());
    }
}
