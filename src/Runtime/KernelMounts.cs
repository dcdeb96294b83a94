using Ebpf.Internal;

namespace Ebpf;

/// <summary>
/// Where the file systems a BPF application works with are mounted in this process's mount namespace, read from
/// /proc/self/mountinfo on every call (mounts come and go). Found, not assumed: distributions mount cgroup v2 at
/// /sys/fs/cgroup (unified) or /sys/fs/cgroup/unified (hybrid), and a container may mount bpffs anywhere, or twice.
/// </summary>
public static class KernelMounts
{
    /// <summary>
    /// The mount point of the cgroup v2 hierarchy, the root that cgroup paths are relative to and where cgroup
    /// programs attach; null when no cgroup2 file system is mounted.
    /// </summary>
    public static string? Cgroup2Root => MountPointsOf("cgroup2").FirstOrDefault();

    /// <summary>
    /// Every mount point of the BPF file system (where maps, programs and links are pinned), in mount order; empty
    /// when none is mounted (<see cref="BpfFileSystem.EnsureMounted"/> mounts one).
    /// </summary>
    public static IReadOnlyList<string> BpfFsMounts => MountPointsOf("bpf");

    /// <summary>
    /// The mount points of file system type <paramref name="fileSystemType"/> as the kernel names it in mountinfo
    /// ("cgroup2", "bpf", "tracefs", "debugfs", ...), in mount order; empty when none is mounted.
    /// </summary>
    public static IReadOnlyList<string> MountPointsOf(string fileSystemType)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileSystemType);
        return MountInfo.Read().Where(m => m.FileSystemType == fileSystemType).Select(m => m.MountPoint).ToArray();
    }
}
