using System.Reflection;
using Ebpf.Btf;
using Ebpf.Internal;
using Ebpf.Loader;
using Ebpf.Maps;
using Ebpf.Object;
using Ebpf.Programs;

namespace Ebpf;

/// <summary>
/// A BPF object (.bpf.o) in two phases, as in libbpf: <see cref="Open(ReadOnlyMemory{byte}, BpfObjectOptions?)"/> parses it
/// (map sizes and flags and .rodata can still be changed), <see cref="Load"/> creates everything in the kernel:
/// the object's BTF, its maps (global data initialised, .rodata frozen, data maps memory-mapped), then each
/// program relocated and verified. Disposing it closes every map, program and link it made.
/// </summary>
public sealed class BpfObject : IDisposable
{
    private readonly BpfObjectOptions options;
    private readonly List<BpfMap> maps = new();
    private readonly Dictionary<string, BpfMap> mapsByName = new(StringComparer.Ordinal);
    private readonly Dictionary<BpfMap, string> kernelNames = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, GlobalData> globals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BpfProgram> programs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> verifierLogs = new(StringComparer.Ordinal);
    private readonly List<IDisposable> loadResources = new();
    private BpfFd? btf;
    private bool disposed;

    private BpfObject(ObjectSpec spec, string name, BpfObjectOptions options)
    {
        if (!spec.IsLittleEndian && BitConverter.IsLittleEndian)
            throw new ObjectFormatException(
                $"object '{name}' was compiled for big-endian BPF (-target bpfeb); this machine is little-endian: compile with -target bpfel or bpf");
        Spec = spec;
        Name = name;
        this.options = options;
        foreach (var mapSpec in spec.Maps)
        {
            var map = new BpfMap(mapSpec);
            kernelNames[map] = mapSpec.DataSection is not null ? LoaderNames.DataMapName(name, mapSpec.Name) : mapSpec.Name;
            maps.Add(map);
            mapsByName[mapSpec.Name] = map;
            if (mapSpec.DataSection is { } section)
                globals[section.Name] = new GlobalData(section, map);
        }
    }

    /// <summary>Parses an object from its ELF bytes; nothing is created in the kernel until <see cref="Load"/>.</summary>
    /// <exception cref="ObjectFormatException">The bytes are not a valid BPF object.</exception>
    public static BpfObject Open(ReadOnlyMemory<byte> elf, BpfObjectOptions? options = null)
    {
        options ??= new BpfObjectOptions();
        return new BpfObject(ObjectSpec.Parse(elf.Span), options.ObjectName ?? "bpf_object", options);
    }

    /// <summary>Parses the object file at <paramref name="path"/>.</summary>
    public static BpfObject OpenFile(string path, BpfObjectOptions? options = null)
    {
        options ??= new BpfObjectOptions();
        var bytes = File.ReadAllBytes(path);
        return new BpfObject(ObjectSpec.Parse(bytes), options.ObjectName ?? LoaderNames.ObjectName(path), options);
    }

    /// <summary>Parses the object embedded in <paramref name="assembly"/> as manifest resource <paramref name="resourceName"/>.</summary>
    public static BpfObject OpenEmbedded(Assembly assembly, string resourceName, BpfObjectOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        options ??= new BpfObjectOptions();
        using var stream = assembly.GetManifestResourceStream(resourceName);
        if (stream is null)
        {
            var available = assembly.GetManifestResourceNames();
            throw new FileNotFoundException(
                $"assembly {assembly.GetName().Name} has no embedded BPF object '{resourceName}'"
                + (available.Length == 0 ? " (it embeds no resources)" : $"; it embeds: {string.Join(", ", available)}")
                + ". Is the .bpf.c listed as <BpfSource> in the project, and was the project rebuilt?", resourceName);
        }
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return new BpfObject(ObjectSpec.Parse(bytes), options.ObjectName ?? LoaderNames.ObjectName(resourceName), options);
    }

    /// <summary>The parsed object.</summary>
    public ObjectSpec Spec { get; }

    /// <summary>The object's name (data map name prefix, messages).</summary>
    public string Name { get; }

    public bool IsLoaded { get; private set; }

    /// <summary>Why the kernel refused the object's BTF, when it did: the object then loaded without it (maps untyped in
    /// bpftool, no source lines in verifier logs), as libbpf does. Null when the BTF loaded or the object has none.</summary>
    public string? BtfRefusal { get; private set; }

    /// <summary>Every map of the object, in declaration order then data sections.</summary>
    public IReadOnlyList<BpfMap> Maps => maps;

    /// <summary>The loaded programs (empty before <see cref="Load"/>).</summary>
    public IReadOnlyCollection<BpfProgram> Programs => programs.Values;

    /// <summary>Verifier logs of successful loads, by program name, when <see cref="BpfObjectOptions.VerifierLogLevel"/> asked for them.</summary>
    public IReadOnlyDictionary<string, string> VerifierLogs => verifierLogs;

    /// <summary>The map named <paramref name="name"/> in the object (".rodata" etc. for data sections).</summary>
    public BpfMap GetMap(string name) =>
        mapsByName.TryGetValue(name, out var map) ? map
        : throw new KeyNotFoundException($"object '{Name}' has no map '{name}'; its maps: {Names(mapsByName.Keys)}");

    /// <summary>The global data section <paramref name="sectionName"/> (".rodata", ".data", ".bss", ".data.foo").</summary>
    public GlobalData GetGlobalData(string sectionName) =>
        globals.TryGetValue(sectionName, out var data) ? data
        : throw new KeyNotFoundException($"object '{Name}' has no global data section '{sectionName}'; it has: {Names(globals.Keys)}");

    /// <summary>The loaded program whose C function is <paramref name="name"/>, as the class of its kind.</summary>
    public T GetProgram<T>(string name) where T : BpfProgram
    {
        ThrowIfDisposed();
        var spec = Spec.FindProgram(name)
                   ?? throw new KeyNotFoundException($"object '{Name}' has no program '{name}'; its programs: {Names(Spec.Programs.Select(p => p.Name))}");
        if (!IsLoaded)
            throw new InvalidOperationException($"program '{name}' of object '{Name}' exists only after Load()");
        if (!programs.TryGetValue(name, out var program))
            throw new InvalidOperationException(
                $"program '{name}' (section ?{spec.SectionName}) was not loaded: its section starts with '?', which marks it as not auto-loaded");
        return program as T ?? throw new InvalidCastException(
            $"program '{name}' (section {spec.SectionName}) is a {program.GetType().Name} ({spec.Type}), not a {typeof(T).Name}");
    }

    /// <summary>Creates the maps, initialises global data and loads every program. On failure nothing stays loaded.</summary>
    /// <exception cref="BpfVerifierException">The verifier refused a program; the exception carries its log.</exception>
    /// <exception cref="BpfException">A bpf(2) call failed; the message names the object and the cause.</exception>
    public void Load()
    {
        ThrowIfDisposed();
        if (IsLoaded)
            throw new InvalidOperationException($"object '{Name}' is already loaded");
        Memlock.EnsureUsable();
        try
        {
            if (Spec.Btf is { } objectBtf)
            {
                btf = ObjectBtfLoader.TryLoad(objectBtf, Name, options, out var refusal);
                BtfRefusal = refusal;
            }
            var kconfig = KconfigMap.CreateIfNeeded(Spec, Name, btf, loadResources);
            foreach (var map in maps)
                ObjectMaps.Create(map, kernelNames[map], btf, options, globals);
            LoadPrograms(kconfig);
            ObjectMaps.FillInitialSlots(maps, mapsByName, programs);
            IsLoaded = true;
        }
        catch
        {
            Unload();
            disposed = true;
            throw;
        }
    }

    private void LoadPrograms((BpfMap Map, IReadOnlySet<string> Names)? kconfig)
    {
        var kernelBtf = new Lazy<BtfSpec>(() => KernelBtf.Get(null));
        var resolver = new ReferenceResolver(n => mapsByName.GetValueOrDefault(n), () => kernelBtf.Value,
                                             kconfig?.Map, kconfig?.Names ?? new HashSet<string>());
        foreach (var spec in Spec.Programs)
        {
            if (!spec.AutoLoad)
                continue;
            var instructions = CoreStep.Relocate(Spec, spec, options, out var coreFailures);
            resolver.Apply(spec, instructions);
            var target = AttachTargets.Resolve(spec, () => kernelBtf.Value, vmlinux => ModuleBtfs.Enumerate(vmlinux));
            // The loaded program holds its own reference to a module's BTF; ours is needed only for the load.
            using var targetModule = target.Module is null ? null : BtfObjects.OpenKernelModule(target.Module);
            var fd = ProgramLoader.Load(spec, new ProgramLoadInput(instructions, btf, target.BtfId, Name, coreFailures, targetModule),
                                        options, out var log);
            if (options.VerifierLogLevel > 0)
                verifierLogs[spec.Name] = log;
            RodataBinding.Bind(fd, RodataBinding.Choose(maps));
            programs[spec.Name] = BpfProgram.Create(spec, fd);
        }
    }

    /// <summary>Closes every program (detaching its links), map and the BTF; the object can no longer be used.</summary>
    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        Unload();
    }

    private void Unload()
    {
        foreach (var program in programs.Values)
            program.Dispose();
        programs.Clear();
        foreach (var map in maps)
            map.Dispose();
        foreach (var resource in loadResources)
            resource.Dispose();
        loadResources.Clear();
        btf?.Dispose();
        btf = null;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);

    private static string Names(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? "(none)" : string.Join(", ", list);
    }

    public override string ToString() => $"BPF object '{Name}' ({maps.Count} maps, {Spec.Programs.Count} programs{(IsLoaded ? ", loaded" : "")})";
}
