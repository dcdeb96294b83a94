namespace Ebpf.Object
{
    /// <summary>A map to create: a BTF-defined map from <c>.maps</c>, or the map backing a data section.</summary>
    public sealed class MapSpec
    {
        public MapSpec(string name, MapType type, uint keySize, uint valueSize, uint maxEntries, uint flags = 0,
                       uint keyTypeId = 0, uint valueTypeId = 0, MapSpec? innerMap = null, DataSectionSpec? dataSection = null)
        {
            Name = name;
            Type = type;
            KeySize = keySize;
            ValueSize = valueSize;
            MaxEntries = maxEntries;
            Flags = flags;
            KeyTypeId = keyTypeId;
            ValueTypeId = valueTypeId;
            InnerMap = innerMap;
            DataSection = dataSection;
        }

        /// <summary>The map variable's symbol name; data-section maps are named like libbpf: ".rodata", ".bss", ".data.foo".</summary>
        public string Name { get; }

        /// <summary>The map type, key and value sizes and entries as declared; the loader adjusts them where the kernel
        /// needs it (ring buffer size to whole pages, perf event array to the CPU count) and the runtime's
        /// <c>BpfMap.MaxEntries</c>/<c>Flags</c> change them until the object is loaded.</summary>
        public MapType Type { get; internal set; }

        public uint KeySize { get; internal set; }

        public uint ValueSize { get; internal set; }

        public uint MaxEntries { get; internal set; }

        /// <summary>BPF_F_* map flags (data maps: BPF_F_RDONLY_PROG|BPF_F_MMAPABLE for .rodata, BPF_F_MMAPABLE otherwise).</summary>
        public uint Flags { get; internal set; }

        /// <summary>LIBBPF_PIN_BY_NAME from the map definition's <c>pinning</c>; settable when creating a map by hand.</summary>
        public PinType Pinning { get; init; }

        /// <summary>The NUMA node to allocate on (with BPF_F_NUMA_NODE in <see cref="Flags"/>).</summary>
        public uint NumaNode { get; init; }

        /// <summary>map_extra: e.g. the number of hash functions of a bloom filter.</summary>
        public ulong MapExtra { get; init; }

        /// <summary>BTF type id of the key (0 = none, e.g. ring buffers, data maps, maps declared with key_size only).</summary>
        public uint KeyTypeId { get; }

        /// <summary>BTF type id of the value (data maps: the DATASEC id; 0 when declared with value_size only).</summary>
        public uint ValueTypeId { get; }

        /// <summary>For array/hash of maps: the inner map template declared by the <c>values</c> member.</summary>
        public MapSpec? InnerMap { get; }

        /// <summary>Set for the maps that back global data.</summary>
        public DataSectionSpec? DataSection { get; }

        /// <summary>Initial contents of a map of maps or prog array from a <c>values = { ... }</c> initialiser:
        /// (slot index, symbol name of the map or program). Empty when none.</summary>
        internal System.Collections.Generic.IReadOnlyList<MapSlotInitializer> InitialSlots { get; set; } = System.Array.Empty<MapSlotInitializer>();

        /// <summary>BPF_F_RDONLY_PROG: the program can only read the map.</summary>
        public const uint FlagReadOnlyProg = 1u << 7;

        /// <summary>BPF_F_MMAPABLE: the map can be mmap()ed.</summary>
        public const uint FlagMmapable = 1u << 10;

        public override string ToString() => $"{Name} ({Type}, key {KeySize}, value {ValueSize}, max {MaxEntries})";
    }
}
