using System.Security.Cryptography;

namespace Ebpf.TestKit;

/// <summary>
/// A vmlinux.h for test programs that include it, written once per kernel BTF by bpftool (a test-only tool, so the
/// build task's own BTF-to-C writer is checked against it elsewhere rather than trusted here).
/// </summary>
public static class VmlinuxHeader
{
    private const string KernelBtf = "/sys/kernel/btf/vmlinux";
    private static readonly Lazy<string> directory = new(Write);

    /// <summary>The folder holding vmlinux.h for the running kernel.</summary>
    public static string Directory => directory.Value;

    private static string Write()
    {
        if (!File.Exists(KernelBtf))
            throw new InvalidOperationException($"this kernel has no BTF at {KernelBtf}: a test program that includes vmlinux.h cannot be compiled");
        var key = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(KernelBtf)))[..16].ToLowerInvariant();
        var dir = Path.Combine(Path.GetTempPath(), "ebpf-test-vmlinux", key);
        var header = Path.Combine(dir, "vmlinux.h");
        if (File.Exists(header))
            return dir;
        System.IO.Directory.CreateDirectory(dir);
        var text = HostCommand.Run("bpftool", ["btf", "dump", "file", KernelBtf, "format", "c"], TimeSpan.FromMinutes(2)).EnsureSuccess();
        var tmp = header + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, header, overwrite: true);
        return dir;
    }
}
