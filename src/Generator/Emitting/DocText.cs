using System.Globalization;
using Ebpf.Generator.Model;
using Ebpf.Generator.Parsing;

namespace Ebpf.Generator.Emitting
{
    /// <summary>
    /// The wording of generated doc comments that depends on numbers or on the kind of map: "1 entry", "4 bytes", a ring
    /// buffer by its size rather than as a map with 0-byte keys. Kept in one place so every comment reads the same way.
    /// </summary>
    internal static class DocText
    {
        /// <summary>"1 byte", "4 bytes".</summary>
        public static string Bytes(uint count) => Count(count, "byte", "bytes");

        /// <summary>"1 bit", "3 bits".</summary>
        public static string Bits(uint count) => Count(count, "bit", "bits");

        public static string Count(uint count, string singular, string plural) =>
            count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? singular : plural);

        /// <summary>What a map is, after "Map <c>name</c>: ". MaxEntries means the buffer size for ring buffers and "one slot
        /// per CPU" when 0 for a perf event array (the loader fills it in like libbpf); storage maps have no MaxEntries.</summary>
        public static string Map(MapModel map)
        {
            var type = Identifiers.ForComment(map.MapTypeName);
            switch (map.MapTypeName)
            {
                case "RingBuf":
                    return $"ring buffer of {Bytes(map.MaxEntries)}{Reader(map)}.";
                case "UserRingBuf":
                    return $"user ring buffer of {Bytes(map.MaxEntries)}.";
                case "PerfEventArray":
                    return map.MaxEntries == 0
                        ? $"perf event array, one buffer per possible CPU{Reader(map)}."
                        : $"perf event array, {Count(map.MaxEntries, "slot", "slots")} (one buffer per CPU){Reader(map)}.";
                case "SkStorage":
                case "InodeStorage":
                case "TaskStorage":
                case "CgrpStorage":
                    return $"{type}, a value of {Bytes(map.ValueSize)} per {StorageOwner(map.MapTypeName)}.";
            }
            var key = map.KeySize == 0 ? "no key" : "key " + Bytes(map.KeySize);
            var value = ValueDescription(map);
            var entries = map.MaxEntries == 0 ? "" : ", " + Count(map.MaxEntries, "entry", "entries");
            return $"{type}, {key}, {value}{entries}.";
        }

        /// <summary>Maps whose values are kernel objects say what they hold (the 4 bytes are an fd or id); per-CPU maps say
        /// that the size is per CPU (a lookup returns one value per possible CPU).</summary>
        private static string ValueDescription(MapModel map)
        {
            switch (map.MapTypeName)
            {
                case "ArrayOfMaps":
                case "HashOfMaps":
                    return "values are inner maps";
                case "ProgArray":
                    return "values are programs";
                case "SockMap":
                case "SockHash":
                    return "values are sockets";
                case "PerCpuArray":
                case "PerCpuHash":
                case "LruPerCpuHash":
                case "PerCpuCgroupStorage":
                    return map.ValueSize == 0 ? "no value" : "value " + Bytes(map.ValueSize) + " per CPU";
                default:
                    return map.ValueSize == 0 ? "no value" : "value " + Bytes(map.ValueSize);
            }
        }

        private static string Reader(MapModel map) => map.IsPlain ? "" : "; read its records with <c>OpenReader()</c>";

        private static string StorageOwner(string mapType)
        {
            switch (mapType)
            {
                case "SkStorage": return "socket";
                case "InodeStorage": return "inode";
                case "TaskStorage": return "task";
                default: return "cgroup";
            }
        }
    }
}
