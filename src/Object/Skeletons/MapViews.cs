namespace Ebpf.Object
{
    /// <summary>Which type arguments a map view class takes.</summary>
    internal enum MapViewShape
    {
        /// <summary>BpfMap itself: no typed view.</summary>
        Plain,
        /// <summary>RingBufMap, SockMap, DevMap, ...: no type arguments.</summary>
        NoTypes,
        /// <summary>SockHashMap&lt;TKey&gt;, HashOfMaps&lt;TKey&gt;.</summary>
        KeyOnly,
        /// <summary>ArrayMap&lt;TValue&gt;, PerCpuArrayMap&lt;TValue&gt;: the key is the 4-byte index.</summary>
        ValueOnly,
        /// <summary>HashMap&lt;TKey, TValue&gt;, ...</summary>
        KeyAndValue,
    }

    /// <summary>
    /// Which Ebpf.Runtime typed view a map of each type gets (docs/skeleton-contract.md, "Maps"). The generator
    /// emits these views into skeletons and each view accepts its map types at run time; ProgramAndMapClassesTests
    /// fails when the runtime's views and this table disagree.
    /// </summary>
    internal static class MapViews
    {
        /// <summary>The namespace of the runtime's map views.</summary>
        public const string Namespace = "Ebpf.Maps";

        /// <summary>The view's class name without type arguments ("HashMap") and the type arguments it takes.</summary>
        public static (string ClassName, MapViewShape Shape) For(MapType type)
        {
            switch (type)
            {
                case MapType.Hash: return ("HashMap", MapViewShape.KeyAndValue);
                case MapType.Array: return ("ArrayMap", MapViewShape.ValueOnly);
                case MapType.PerCpuHash: return ("PerCpuHashMap", MapViewShape.KeyAndValue);
                case MapType.PerCpuArray: return ("PerCpuArrayMap", MapViewShape.ValueOnly);
                case MapType.LruHash: return ("LruHashMap", MapViewShape.KeyAndValue);
                case MapType.LruPerCpuHash: return ("LruPerCpuHashMap", MapViewShape.KeyAndValue);
                case MapType.LpmTrie: return ("LpmTrieMap", MapViewShape.KeyAndValue);
                case MapType.ProgArray: return ("ProgArrayMap", MapViewShape.NoTypes);
                case MapType.SockMap: return ("SockMap", MapViewShape.NoTypes);
                case MapType.SockHash: return ("SockHashMap", MapViewShape.KeyOnly);
                case MapType.DevMap:
                case MapType.DevMapHash: return ("DevMap", MapViewShape.NoTypes);
                case MapType.CpuMap: return ("CpuMap", MapViewShape.NoTypes);
                case MapType.ArrayOfMaps: return ("ArrayOfMaps", MapViewShape.NoTypes);
                case MapType.HashOfMaps: return ("HashOfMaps", MapViewShape.KeyOnly);
                case MapType.RingBuf: return ("RingBufMap", MapViewShape.NoTypes);
                case MapType.PerfEventArray: return ("PerfEventArrayMap", MapViewShape.NoTypes);
                default: return ("BpfMap", MapViewShape.Plain);
            }
        }

        /// <summary>The number of type arguments a view of that shape takes.</summary>
        public static int Arity(MapViewShape shape) =>
            shape == MapViewShape.KeyAndValue ? 2 : shape == MapViewShape.KeyOnly || shape == MapViewShape.ValueOnly ? 1 : 0;
    }
}
