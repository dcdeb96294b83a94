namespace Ebpf.TestKit;

/// <summary>Finds or makes a mount of a pseudo file system (shared by <see cref="BpfFs"/> and <see cref="TraceFs"/>).</summary>
internal static class MountedFs
{
    private static readonly object gate = new();

    /// <summary>The first mount point of <paramref name="fsType"/>, mounting it at <paramref name="defaultPath"/> when there is none.</summary>
    public static string Ensure(string fsType, string defaultPath)
    {
        lock (gate)
        {
            if (Find(fsType) is { } existing)
                return existing;
            Directory.CreateDirectory(defaultPath);
            var r = HostCommand.Run("mount", "-t", fsType, fsType, defaultPath);
            if (!r.Succeeded && Find(fsType) is null)
                throw new InvalidOperationException(
                    $"{fsType} is not mounted and `mount -t {fsType} {fsType} {defaultPath}` failed: {r.StandardError.Trim()}");
            return Find(fsType) ?? defaultPath;
        }
    }

    /// <summary>The first mount point of <paramref name="fsType"/>, or null.</summary>
    public static string? Find(string fsType) => KernelMounts.MountPointsOf(fsType).FirstOrDefault();
}
