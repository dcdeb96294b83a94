using Ebpf.Btf;
using Ebpf.Core;
using Ebpf.Object;

namespace Ebpf.Core;

/// <summary>
/// The BTF that CO-RE relocations are resolved against: the running kernel's (<see cref="RunningKernel"/>,
/// vmlinux plus the split BTF of loaded modules, parsed once per process) or a BTF file the user supplies for a
/// kernel without /sys/kernel/btf (<see cref="FromFile"/>; modules are then not searched, as in libbpf).
/// </summary>
internal sealed class CoreTarget
{
    private const string KernelBtfDirectory = "/sys/kernel/btf";
    private static readonly Lazy<CoreTarget> runningKernel = new(LoadRunningKernel, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Dictionary<string, Lazy<CoreTarget>> files = new(StringComparer.Ordinal);

    private readonly Lazy<CandidateIndex> vmlinuxIndex;
    private readonly Lazy<IReadOnlyList<CandidateIndex>> moduleIndexes;

    private CoreTarget(BtfSpec vmlinux, string description, Func<BtfSpec, IReadOnlyList<BtfSpec>>? modules)
    {
        Vmlinux = vmlinux;
        Description = description;
        vmlinuxIndex = new(() => new CandidateIndex(vmlinux));
        moduleIndexes = new(() => modules is null ? [] : modules(vmlinux).Select(m => new CandidateIndex(m)).ToArray());
    }

    /// <summary>The base BTF (vmlinux).</summary>
    public BtfSpec Vmlinux { get; }

    /// <summary>Where the BTF came from, for messages.</summary>
    public string Description { get; }

    /// <summary>The running kernel's BTF from /sys/kernel/btf/vmlinux, parsed on first use and cached for the process.</summary>
    public static CoreTarget RunningKernel => runningKernel.Value;

    /// <summary>
    /// A raw BTF file (a copy of some kernel's /sys/kernel/btf/vmlinux, or a BTFHub file, uncompressed). Parsed once
    /// per path and process, since the loader asks for it for every program of every object.
    /// </summary>
    public static CoreTarget FromFile(string path)
    {
        var full = Path.GetFullPath(path);
        Lazy<CoreTarget> lazy;
        lock (files)
        {
            if (!files.TryGetValue(full, out lazy!))
                files[full] = lazy = new Lazy<CoreTarget>(() => ReadFile(full), LazyThreadSafetyMode.ExecutionAndPublication);
        }
        return lazy.Value;
    }

    private static CoreTarget ReadFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CoreRelocationException($"cannot read the target BTF file {path}: {e.Message}. Give the path of a raw BTF file (such as a copy of /sys/kernel/btf/vmlinux).", e);
        }
        return new CoreTarget(ParseBtf(bytes, path), path, modules: null);
    }

    /// <summary>An already parsed BTF (tests, or BTF obtained elsewhere). Modules are not searched.</summary>
    public static CoreTarget FromBtf(BtfSpec btf, string description = "given BTF") => new(btf, description, modules: null);

    private static CoreTarget LoadRunningKernel()
    {
        var path = Path.Combine(KernelBtfDirectory, "vmlinux");
        if (!File.Exists(path))
            throw new CoreRelocationException(
                $"{path} does not exist: this kernel was built without CONFIG_DEBUG_INFO_BTF, so CO-RE relocations cannot be resolved against it. " +
                "Set BpfObjectOptions.KernelBtfPath to a BTF file for this kernel (e.g. from BTFHub) or use a kernel with BTF.");
        // the loader parses vmlinux too (attach targets, kfuncs): share its copy, it is tens of megabytes
        return new CoreTarget(Ebpf.Internal.KernelBtf.Get(path), path, LoadModules);
    }

    private static IReadOnlyList<BtfSpec> LoadModules(BtfSpec vmlinux)
    {
        var result = new List<BtfSpec>();
        foreach (var file in Directory.EnumerateFiles(KernelBtfDirectory).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(file) == "vmlinux")
                continue;
            try
            {
                result.Add(BtfSpec.Parse(File.ReadAllBytes(file), vmlinux));
            }
            catch (Exception e) when (e is IOException or ObjectFormatException or UnauthorizedAccessException)
            {
                // a module unloaded while we read it, or BTF we cannot parse: its types are simply not candidates
            }
        }
        return result;
    }

    private static BtfSpec ParseBtf(byte[] bytes, string path)
    {
        try
        {
            return BtfSpec.Parse(bytes);
        }
        catch (ObjectFormatException e)
        {
            throw new CoreRelocationException($"{path} is not valid raw BTF: {e.Message}", e);
        }
    }

    /// <summary>
    /// Types of the same kind (enum and enum64 count as one) whose essential name equals the local type's.
    /// vmlinux first; the modules only when vmlinux has none, as libbpf does.
    /// </summary>
    internal IReadOnlyList<(BtfSpec Btf, uint Id)> Candidates(BtfType local)
    {
        var essential = CoreNames.Essential(local.Name);
        var found = vmlinuxIndex.Value.Find(essential, local);
        if (found.Count > 0)
            return found;
        foreach (var module in moduleIndexes.Value)
        {
            found = module.Find(essential, local);
            if (found.Count > 0)
                return found;
        }
        return found;
    }

    /// <summary>Own types of one BTF by essential name, built once: vmlinux has over 100,000 types.</summary>
    private sealed class CandidateIndex
    {
        private readonly BtfSpec btf;
        private readonly Dictionary<string, List<uint>> byEssentialName = new(StringComparer.Ordinal);

        public CandidateIndex(BtfSpec btf)
        {
            this.btf = btf;
            for (var id = btf.FirstTypeId; id < (uint)btf.Count; id++)
            {
                var name = btf[id].Name;
                if (name.Length == 0)
                    continue;
                var key = CoreNames.Essential(name);
                if (!byEssentialName.TryGetValue(key, out var ids))
                    byEssentialName[key] = ids = new List<uint>(1);
                ids.Add(id);
            }
        }

        public List<(BtfSpec Btf, uint Id)> Find(string essential, BtfType local)
        {
            var result = new List<(BtfSpec, uint)>();
            if (byEssentialName.TryGetValue(essential, out var ids))
                foreach (var id in ids)
                    if (CoreTypeRules.KindsCompatible(btf[id], local))
                        result.Add((btf, id));
            return result;
        }
    }
}
