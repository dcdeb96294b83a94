using Ebpf.Btf;

namespace Ebpf.Internal;

/// <summary>The split BTF of one loaded kernel module (/sys/kernel/btf/&lt;module&gt;), parsed over vmlinux's.</summary>
internal sealed record ModuleBtf(string Module, BtfSpec Btf);

/// <summary>
/// Kernel modules' BTF, for attach targets (tp_btf tracepoints, fentry functions) that live in a module rather
/// than in vmlinux. Read only when vmlinux lacks a target, one module at a time, so the common case costs nothing.
/// </summary>
internal static class ModuleBtfs
{
    public const string DefaultDirectory = "/sys/kernel/btf";

    /// <summary>Every module's BTF under <paramref name="directory"/> (all files but vmlinux), parsed lazily in name order.
    /// A module unloaded while we enumerate is skipped.</summary>
    public static IEnumerable<ModuleBtf> Enumerate(BtfSpec vmlinux, string directory = DefaultDirectory)
    {
        if (!Directory.Exists(directory))
            yield break;
        foreach (var path in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
        {
            var module = Path.GetFileName(path);
            if (module == "vmlinux")
                continue;
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (IOException)
            {
                continue;
            }
            yield return new ModuleBtf(module, BtfSpec.Parse(bytes, vmlinux));
        }
    }
}
