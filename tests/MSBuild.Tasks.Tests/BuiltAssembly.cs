using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Ebpf.Build.Tasks.Tests;

/// <summary>What a built assembly contains (types, embedded resources), read with System.Reflection.Metadata without loading it.</summary>
public sealed class BuiltAssembly
{
    private BuiltAssembly(IReadOnlySet<string> types, IReadOnlyDictionary<string, byte[]> resources)
    {
        TypeNames = types;
        Resources = resources;
    }

    public IReadOnlySet<string> TypeNames { get; }

    public IReadOnlyDictionary<string, byte[]> Resources { get; }

    public static BuiltAssembly Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var types = new HashSet<string>(StringComparer.Ordinal);
        foreach (var h in md.TypeDefinitions)
        {
            var t = md.GetTypeDefinition(h);
            var ns = md.GetString(t.Namespace);
            var name = md.GetString(t.Name);
            types.Add(ns.Length == 0 ? name : ns + "." + name);
        }
        var resources = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var header = pe.PEHeaders.CorHeader!;
        var resourcesDir = pe.GetSectionData(header.ResourcesDirectory.RelativeVirtualAddress);
        foreach (var h in md.ManifestResources)
        {
            var r = md.GetManifestResource(h);
            if (!r.Implementation.IsNil)
                continue;
            var reader = resourcesDir.GetReader((int)r.Offset, resourcesDir.Length - (int)r.Offset);
            var length = reader.ReadInt32();
            resources[md.GetString(r.Name)] = reader.ReadBytes(length);
        }
        return new BuiltAssembly(types, resources);
    }
}
