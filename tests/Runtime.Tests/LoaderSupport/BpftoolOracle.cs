using System.Text.Json;
using System.Text.RegularExpressions;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests.LoaderSupport;

/// <summary>A map as the kernel reports it through bpftool (the oracle for what a loader created).</summary>
internal sealed record KernelMap(string Name, string Type, uint KeySize, uint ValueSize, uint MaxEntries, uint Flags);

/// <summary>A loaded program as bpftool reports it: its maps and its translated instructions with map ids replaced by names.</summary>
internal sealed record KernelProgram(string Name, string Type, IReadOnlyList<KernelMap> Maps, string Xlated);

/// <summary>
/// bpftool as the independent oracle for the loader (never used by the runtime): libbpf's own loading with
/// `bpftool prog loadall`, and what the kernel holds for a program id (maps, `prog dump xlated`).
/// </summary>
internal static partial class BpftoolOracle
{
    /// <summary>Loads <paramref name="objectPath"/> with libbpf (bpftool prog loadall), pinning programs under <paramref name="pinDirectory"/>.</summary>
    public static IReadOnlyDictionary<string, KernelProgram> LoadAllWithLibbpf(string objectPath, string pinDirectory)
    {
        HostCommand.Check("bpftool", "prog", "loadall", objectPath, pinDirectory);
        var result = new Dictionary<string, KernelProgram>(StringComparer.Ordinal);
        foreach (var pin in Directory.EnumerateFiles(pinDirectory))
        {
            using var show = JsonDocument.Parse(HostCommand.Check("bpftool", "prog", "show", "pinned", pin, "-j"));
            // The pin is named after the full C function name; the kernel keeps only 15 characters of it.
            result[Path.GetFileName(pin)] = Describe(show.RootElement.GetProperty("id").GetUInt32());
        }
        return result;
    }

    /// <summary>What the kernel holds for program <paramref name="id"/>.</summary>
    public static KernelProgram Describe(uint id)
    {
        using var show = JsonDocument.Parse(HostCommand.Check("bpftool", "prog", "show", "id", id.ToString(), "-j"));
        var root = show.RootElement;
        var maps = new List<KernelMap>();
        var names = new Dictionary<string, string>();
        if (root.TryGetProperty("map_ids", out var ids))
            foreach (var mapId in ids.EnumerateArray())
            {
                var map = Map(mapId.GetUInt32());
                maps.Add(map);
                names[mapId.GetUInt32().ToString()] = map.Name;
            }
        var xlated = HostCommand.Check("bpftool", "prog", "dump", "xlated", "id", id.ToString());
        // Map ids differ between two loads of the same object; the names are what must match.
        xlated = MapId().Replace(xlated, m => $"map[{names.GetValueOrDefault(m.Groups[1].Value, "unknown id")}]");
        return new KernelProgram(root.GetProperty("name").GetString()!, root.GetProperty("type").GetString()!,
                                 maps.OrderBy(m => m.Name, StringComparer.Ordinal).ToList(), xlated);
    }

    public static KernelMap Map(uint id)
    {
        using var doc = JsonDocument.Parse(HostCommand.Check("bpftool", "map", "show", "id", id.ToString(), "-j"));
        var m = doc.RootElement;
        return new KernelMap(m.GetProperty("name").GetString()!, m.GetProperty("type").GetString()!,
                             m.GetProperty("bytes_key").GetUInt32(), m.GetProperty("bytes_value").GetUInt32(),
                             m.GetProperty("max_entries").GetUInt32(), m.GetProperty("flags").GetUInt32());
    }

    [GeneratedRegex(@"map\[id:(\d+)\]")]
    private static partial Regex MapId();
}
