using Ebpf.Object;

namespace Ebpf.Maps;

/// <summary>
/// Base of the typed map views: checks at construction that the map is of a kind the view serves and that the
/// C# key and value types have the map's key and value sizes, so a mismatched struct fails early and clearly.
/// </summary>
public abstract class BpfMapView
{
    private protected BpfMapView(BpfMap map, MapType[] types)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (Array.IndexOf(types, map.Type) < 0)
            throw new ArgumentException(
                $"map '{map.Name}' is a {map.Type} map; {GetType().Name.Split('`')[0]} serves {string.Join(" or ", types)} maps", nameof(map));
        Map = map;
    }

    /// <summary>The untyped map.</summary>
    public BpfMap Map { get; }

    /// <summary>Maximum number of entries; settable until the object is loaded.</summary>
    public uint MaxEntries
    {
        get => Map.MaxEntries;
        set => Map.MaxEntries = value;
    }

    private protected void CheckSize(string what, uint expected, int actual, Type type)
    {
        if (expected != actual)
            throw new ArgumentException(
                $"map '{Map.Name}' has {expected}-byte {what}s but {type.Name} is {actual} bytes: use a C# type with the C type's layout "
                + "(the generated skeleton's types have it)", "map");
    }

    public override string ToString() => Map.ToString();
}
