using Ebpf.Object;

namespace Ebpf.Maps;

/// <summary>A BPF_MAP_TYPE_HASH map with typed keys and values.</summary>
public sealed class HashMap<TKey, TValue> : KeyValueMap<TKey, TValue> where TKey : unmanaged where TValue : unmanaged
{
    public HashMap(BpfMap map) : base(map, MapType.Hash) { }
}

/// <summary>A BPF_MAP_TYPE_LRU_HASH map: a hash map that evicts the least recently used entry when full.</summary>
public sealed class LruHashMap<TKey, TValue> : KeyValueMap<TKey, TValue> where TKey : unmanaged where TValue : unmanaged
{
    public LruHashMap(BpfMap map) : base(map, MapType.LruHash) { }
}

/// <summary>
/// A BPF_MAP_TYPE_LPM_TRIE map: longest-prefix match. <typeparamref name="TKey"/> starts with the 32-bit prefix
/// length followed by the address bytes (network order), as in C's <c>struct bpf_lpm_trie_key</c>.
/// </summary>
public sealed class LpmTrieMap<TKey, TValue> : KeyValueMap<TKey, TValue> where TKey : unmanaged where TValue : unmanaged
{
    public LpmTrieMap(BpfMap map) : base(map, MapType.LpmTrie) { }
}

/// <summary>A BPF_MAP_TYPE_ARRAY map indexed 0..MaxEntries-1; every entry exists (zeroed until written).</summary>
public sealed class ArrayMap<TValue> : KeyValueMap<uint, TValue> where TValue : unmanaged
{
    public ArrayMap(BpfMap map) : base(map, MapType.Array) { }
}
