using System.Runtime.InteropServices;

namespace Ebpf.Examples.MeshAccel.Linux;

/// <summary>
/// The BPF file system the pins live in. A fresh machine often has none mounted at /sys/fs/bpf; the agent mounts it, as
/// Cilium's does, with mount(2) itself: its container image has no mount tool (deploy/images).
/// </summary>
internal static partial class BpfFs
{
    private const string Root = "/sys/fs/bpf";

    public static void EnsureMounted(string pinDir)
    {
        var full = Path.GetFullPath(pinDir);
        if (KernelMounts.BpfFsMounts.Any(m => (full + "/").StartsWith(m.TrimEnd('/') + "/", StringComparison.Ordinal)))
            return;
        if (!full.StartsWith(Root + "/", StringComparison.Ordinal))
            throw new ToolException($"{pinDir} is not in a mounted BPF file system; pins need one (mount -t bpf bpf DIR, or use a directory under {Root})");
        if (mount("bpf", Root, "bpf", 0, 0) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new ToolException($"cannot mount the BPF file system at {Root}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}); "
                                    + "mounting needs CAP_SYS_ADMIN: mount it beforehand (mount -t bpf bpf /sys/fs/bpf; in a pod, a hostPath volume of the node's /sys/fs/bpf)");
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mount(string source, string target, string fileSystemType, nuint flags, nint data);
}
