using Ebpf.Btf;

namespace Ebpf.Internal;

/// <summary>
/// The running kernel's BTF (/sys/kernel/btf/vmlinux), parsed once per path on first need: the loader resolves
/// tp_btf/fentry attach targets, kfunc calls and .ksyms variables in it.
/// </summary>
internal static class KernelBtf
{
    public const string DefaultPath = "/sys/kernel/btf/vmlinux";
    private static readonly Dictionary<string, Lazy<BtfSpec>> cache = new(StringComparer.Ordinal);

    public static BtfSpec Get(string? path)
    {
        path ??= DefaultPath;
        Lazy<BtfSpec> lazy;
        lock (cache)
        {
            if (!cache.TryGetValue(path, out lazy!))
                cache[path] = lazy = new Lazy<BtfSpec>(() => Read(path));
        }
        return lazy.Value;
    }

    private static BtfSpec Read(string path)
    {
        if (!File.Exists(path))
            throw new BpfException(
                $"the kernel's BTF is not at {path}: the kernel was built without CONFIG_DEBUG_INFO_BTF, "
                + "or set BpfObjectOptions.KernelBtfPath to a BTF file for this kernel", 2, "read kernel BTF", path);
        return BtfSpec.Parse(File.ReadAllBytes(path));
    }
}
