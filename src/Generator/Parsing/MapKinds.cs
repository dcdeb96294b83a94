using Ebpf.Object;

namespace Ebpf.Generator.Parsing
{
    /// <summary>How many type arguments a map type's typed view takes.</summary>
    internal enum MapViewShape
    {
        Plain,          // BpfMap itself
        NoTypes,        // RingBufMap, SockMap, ...
        KeyOnly,        // SockHashMap<TKey>, HashOfMaps<TKey>
        ValueOnly,      // ArrayMap<TValue>, PerCpuArrayMap<TValue>: the key is the 4-byte index
        KeyAndValue,    // HashMap<TKey, TValue>, ...
    }

    /// <summary>Which typed view of docs/skeleton-contract.md ("Maps") each map type gets.</summary>
    internal static class MapKinds
    {
        public static (string ClassName, MapViewShape Shape) ViewFor(MapType type)
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
    }
}
