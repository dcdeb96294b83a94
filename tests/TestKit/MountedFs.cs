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

    /// <summary>The mount point of the first <paramref name="fsType"/> in /proc/self/mountinfo, or null.</summary>
    public static string? Find(string fsType)
    {
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var sep = line.IndexOf(" - ", StringComparison.Ordinal);
            if (sep < 0)
                continue;
            var before = line[..sep].Split(' ');
            if (line[(sep + 3)..].Split(' ')[0] == fsType && before.Length > 4)
                return before[4].Replace("\\040", " ");
        }
        return null;
    }
}
