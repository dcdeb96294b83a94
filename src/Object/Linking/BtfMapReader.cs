using System;
using System.Collections.Generic;
using Ebpf.Btf;
using Ebpf.Object.Elf;

namespace Ebpf.Object.Linking
{
    /// <summary>
    /// Reads BTF-defined maps from the ".maps" section the way libbpf's parse_btf_map_def does. Each map is a
    /// global variable of an anonymous struct whose members encode the attributes in their types only:
    /// <c>__uint(max_entries, N)</c> is <c>int (*max_entries)[N]</c> (the array length is the value),
    /// <c>__type(key, T)</c> is <c>T *key</c>, <c>__array(values, struct inner)</c> is a zero-length array of
    /// pointers to the inner map's definition, and <c>__ulong(map_extra, V)</c> is a one-value enum.
    /// </summary>
    internal static class BtfMapReader
    {
        /// <summary>A map with the byte offset of its variable in .maps (what relocations point at).</summary>
        public readonly struct Located
        {
            public Located(MapSpec map, uint offset, uint size, uint varTypeId)
            {
                Map = map;
                Offset = offset;
                Size = size;
                VarTypeId = varTypeId;
            }

            public MapSpec Map { get; }
            public uint Offset { get; }
            public uint Size { get; }
            public uint VarTypeId { get; }
        }

        public static List<Located> Read(BtfSpec? btf, ElfSection maps)
        {
            if (btf is null)
                throw new ObjectFormatException("the object has a '.maps' section but no .BTF section: BTF-defined maps need BTF (compile with clang -g)");
            var datasec = btf.Find<BtfDataSec>(".maps")
                ?? throw new ObjectFormatException("the object has a '.maps' section but its BTF has no DATASEC '.maps' (compile with clang -g)");
            var result = new List<Located>();
            var vars = new List<BtfVarSecInfo>(datasec.Vars);
            vars.Sort((a, b) => a.Offset.CompareTo(b.Offset));
            foreach (var v in vars)
            {
                if (btf[v.TypeId] is not BtfVar variable)
                    throw new ObjectFormatException($"BTF DATASEC '.maps': entry type [{v.TypeId}] is a {btf[v.TypeId].Kind}, expected a VAR");
                if ((ulong)v.Offset + v.Size > maps.Size)
                    throw new ObjectFormatException($"map '{variable.Name}': offset {v.Offset} + size {v.Size} lies outside the {maps.Size}-byte '.maps' section");
                var def = btf.Resolve(variable.TypeId) as BtfComposite;
                if (def is null || def.IsUnion)
                    throw new ObjectFormatException($"map '{variable.Name}': its type [{variable.TypeId}] is a {btf.Resolve(variable.TypeId).Kind}, expected a struct of __uint/__type members");
                var map = ParseDefinition(btf, variable.Name, def, isInner: false);
                result.Add(new Located(map, v.Offset, v.Size, variable.Id));
            }
            return result;
        }

        /// <summary>
        /// Every map variable of the BTF DATASEC ".maps" with its definition, including <c>extern</c> declarations (which a
        /// single source's object has when it uses a map another file defines): what a static linker compares across files.
        /// Reads BTF only, so an object whose .maps holds only declarations (no section bytes) is fine.
        /// </summary>
        public static List<(string Name, bool IsExtern, MapSpec Map)> ReadDefinitions(BtfSpec btf)
        {
            var result = new List<(string, bool, MapSpec)>();
            if (btf.Find<BtfDataSec>(".maps") is not { } datasec)
                return result;
            foreach (var v in datasec.Vars)
            {
                if (btf[v.TypeId] is not BtfVar variable || btf.Resolve(variable.TypeId) is not BtfComposite def || def.IsUnion)
                    continue;
                result.Add((variable.Name, variable.Linkage == BtfVarLinkageExtern, ParseDefinition(btf, variable.Name, def, isInner: false)));
            }
            return result;
        }

        /// <summary>BTF_VAR_GLOBAL_EXTERN: a declaration, defined in another object.</summary>
        private const uint BtfVarLinkageExtern = 2;

        private static MapSpec ParseDefinition(BtfSpec btf, string name, BtfComposite def, bool isInner)
        {
            uint type = 0, keySize = 0, valueSize = 0, maxEntries = 0, flags = 0, numaNode = 0, keyTypeId = 0, valueTypeId = 0, pinning = 0;
            ulong mapExtra = 0;
            MapSpec? inner = null;
            for (var i = 0; i < def.Members.Count; i++)
            {
                var m = def.Members[i];
                switch (m.Name)
                {
                    case "type": type = GetInt(btf, name, m); break;
                    case "max_entries": maxEntries = GetInt(btf, name, m); break;
                    case "map_flags": flags = GetInt(btf, name, m); break;
                    case "numa_node": numaNode = GetInt(btf, name, m); break;
                    case "key_size": keySize = Agree(name, "key size", keySize, GetInt(btf, name, m)); break;
                    case "value_size": valueSize = Agree(name, "value size", valueSize, GetInt(btf, name, m)); break;
                    case "key":
                        keyTypeId = PointerTarget(btf, name, m);
                        keySize = Agree(name, "key size", keySize, btf.SizeOf(keyTypeId));
                        break;
                    case "value":
                        valueTypeId = PointerTarget(btf, name, m);
                        valueSize = Agree(name, "value size", valueSize, btf.SizeOf(valueTypeId));
                        break;
                    case "values":
                        if (isInner)
                            throw new ObjectFormatException($"map '{name}': an inner map cannot itself have 'values' (multi-level maps of maps are not supported)");
                        if (i != def.Members.Count - 1)
                            throw new ObjectFormatException($"map '{name}': 'values' must be the last member");
                        var mapType = (MapType)type;
                        var isMapInMap = mapType is MapType.ArrayOfMaps or MapType.HashOfMaps;
                        if (!isMapInMap && mapType != MapType.ProgArray)
                            throw new ObjectFormatException($"map '{name}': 'values' is only allowed for array/hash of maps and prog arrays (declare 'type' before 'values'), not {mapType}");
                        valueSize = Agree(name, "value size", valueSize, 4);
                        if (btf[m.TypeId] is not BtfArray array || array.Length != 0)
                            throw new ObjectFormatException($"map '{name}': 'values' must be a zero-length array of pointers (__array(values, ...))");
                        if (btf.Resolve(array.ElementId) is not BtfPtr ptr)
                            throw new ObjectFormatException($"map '{name}': 'values' elements are {btf.Resolve(array.ElementId).Kind}, expected pointers");
                        var target = btf.Resolve(ptr.TargetId);
                        if (mapType == MapType.ProgArray)
                        {
                            if (target is not BtfFuncProto)
                                throw new ObjectFormatException($"map '{name}': prog array 'values' must point to a function prototype, not {target.Kind}");
                        }
                        else
                        {
                            if (target is not BtfComposite innerDef || innerDef.IsUnion)
                                throw new ObjectFormatException($"map '{name}': inner map definition is a {target.Kind}, expected a struct");
                            inner = ParseDefinition(btf, name + ".inner", innerDef, isInner: true);
                        }
                        break;
                    case "pinning":
                        if (isInner)
                            throw new ObjectFormatException($"map '{name}': an inner map definition cannot be pinned");
                        pinning = GetInt(btf, name, m);
                        if (pinning > 1)
                            throw new ObjectFormatException($"map '{name}': pinning {pinning} is invalid (0 = none, 1 = by name)");
                        break;
                    case "map_extra": mapExtra = GetLong(btf, name, m); break;
                    default:
                        throw new ObjectFormatException($"map '{name}': unknown attribute '{m.Name}' (libbpf rejects it too; known: type, key, value, key_size, value_size, max_entries, map_flags, pinning, numa_node, map_extra, values)");
                }
            }
            if (type == 0)
                throw new ObjectFormatException($"map '{name}': the map type is not specified (add __uint(type, BPF_MAP_TYPE_...))");
            return new MapSpec(name, (MapType)type, keySize, valueSize, maxEntries, flags, keyTypeId, valueTypeId, inner)
            {
                Pinning = (PinType)pinning,
                NumaNode = numaNode,
                MapExtra = mapExtra,
            };
        }

        private static uint Agree(string map, string what, uint current, uint value)
        {
            if (current != 0 && current != value)
                throw new ObjectFormatException($"map '{map}': conflicting {what}s {current} and {value}");
            return value;
        }

        /// <summary><c>__uint(name, N)</c>: a pointer to an array whose length is the value.</summary>
        private static uint GetInt(BtfSpec btf, string map, BtfMember m)
        {
            if (btf.Resolve(m.TypeId) is not BtfPtr ptr)
                throw new ObjectFormatException($"map '{map}': attribute '{m.Name}' is a {btf.Resolve(m.TypeId).Kind}, expected a pointer to an array (use __uint)");
            if (btf[ptr.TargetId] is not BtfArray array)
                throw new ObjectFormatException($"map '{map}': attribute '{m.Name}' points to a {btf[ptr.TargetId].Kind}, expected an array (use __uint)");
            return array.Length;
        }

        /// <summary><c>__ulong(name, V)</c>: an enum with one value (or a __uint-style pointer).</summary>
        private static ulong GetLong(BtfSpec btf, string map, BtfMember m)
        {
            var t = btf.Resolve(m.TypeId);
            if (t is BtfPtr)
                return GetInt(btf, map, m);
            if (t is not BtfEnum e)
                throw new ObjectFormatException($"map '{map}': attribute '{m.Name}' is a {t.Kind}, expected an enum (use __ulong)");
            if (e.Values.Count != 1)
                throw new ObjectFormatException($"map '{map}': attribute '{m.Name}' is an enum with {e.Values.Count} values, expected exactly one (use __ulong)");
            return unchecked((ulong)e.Values[0].Value);
        }

        /// <summary><c>__type(name, T)</c>: a pointer to T; returns T's id.</summary>
        private static uint PointerTarget(BtfSpec btf, string map, BtfMember m)
        {
            if (btf[m.TypeId] is not BtfPtr ptr)
                throw new ObjectFormatException($"map '{map}': '{m.Name}' is a {btf[m.TypeId].Kind}, expected a pointer (use __type({m.Name}, T))");
            return ptr.TargetId;
        }

        /// <summary>The map variable whose bytes hold the 8-byte slot at <paramref name="offset"/>; <paramref name="located"/> is in offset order.</summary>
        private static Located? FindOwner(List<Located> located, ulong offset)
        {
            int lo = 0, hi = located.Count - 1;
            while (lo <= hi)
            {
                var mid = lo + (hi - lo) / 2;
                var l = located[mid];
                if (offset < l.Offset) hi = mid - 1;
                else if (offset + 8 > (ulong)l.Offset + l.Size) lo = mid + 1;
                else return l;
            }
            return null;
        }

        /// <summary>
        /// Static contents of maps of maps and prog arrays: <c>.values = { [2] = &amp;inner }</c> compiles to relocations
        /// in ".rel.maps" at the slot's position inside the map variable's 'values' array.
        /// </summary>
        public static void ReadInitialSlots(ElfFile elf, BtfSpec btf, ElfSection maps, List<Located> located, ISet<string> programNames)
        {
            foreach (var rel in elf.Sections)
            {
                if (rel.Type != ElfSectionType.Rel || rel.Info != (uint)maps.Index)
                    continue;
                var slots = new Dictionary<MapSpec, List<MapSlotInitializer>>();
                foreach (var r in elf.ReadRelocations(rel))
                {
                    var symbol = elf.Symbols[r.Symbol];
                    var where = $"'{rel.Name}' relocation at offset {r.Offset} against '{symbol.Name}'";
                    if (r.Type != ElfRelocation.Bpf64Abs64)
                        throw new ObjectFormatException($"{where}: relocation type {r.Type}, expected R_BPF_64_ABS64 (2) for a pointer in a map definition");
                    if (FindOwner(located, r.Offset) is not { } o)
                        throw new ObjectFormatException($"{where}: no map variable covers that offset");
                    var map = o.Map;
                    var def = (BtfComposite)btf.Resolve(((BtfVar)btf[o.VarTypeId]).TypeId);
                    if (def.Members.Count == 0 || def.Members[def.Members.Count - 1].Name != "values")
                        throw new ObjectFormatException($"{where}: map '{map.Name}' has no 'values' member to initialise");
                    var valuesStart = def.Members[def.Members.Count - 1].BitOffset / 8;
                    var within = r.Offset - o.Offset;
                    if (within < valuesStart || (within - valuesStart) % 8 != 0)
                        throw new ObjectFormatException($"{where}: the offset is not a slot of map '{map.Name}'s 'values'");
                    var isMapInMap = map.Type is MapType.ArrayOfMaps or MapType.HashOfMaps;
                    if (isMapInMap && symbol.SectionIndex != maps.Index)
                        throw new ObjectFormatException($"{where}: '{symbol.Name}' is not a BTF-defined map");
                    if (map.Type == MapType.ProgArray && !programNames.Contains(symbol.Name))
                        throw new ObjectFormatException($"{where}: '{symbol.Name}' is not a program of this object");
                    if (!slots.TryGetValue(map, out var list))
                        slots.Add(map, list = new List<MapSlotInitializer>());
                    list.Add(new MapSlotInitializer((uint)((within - valuesStart) / 8), symbol.Name));
                }
                foreach (var pair in slots)
                {
                    pair.Value.Sort((a, b) => a.Index.CompareTo(b.Index));
                    pair.Key.InitialSlots = pair.Value;
                }
            }
        }
    }
}
