using System;
using System.Collections.Generic;
using Ebpf.Btf;

namespace Ebpf.Object
{
    /// <summary>A parsed BPF ELF object (<c>.bpf.o</c>): its maps, programs, global data and BTF.</summary>
    public sealed class ObjectSpec
    {
        internal ObjectSpec(bool isLittleEndian, string license, uint kernelVersion, IReadOnlyList<MapSpec> maps,
                            IReadOnlyList<ProgramSpec> programs, IReadOnlyList<DataSectionSpec> dataSections, BtfSpec? btf)
        {
            IsLittleEndian = isLittleEndian;
            License = license;
            KernelVersion = kernelVersion;
            Maps = maps;
            Programs = programs;
            DataSections = dataSections;
            Btf = btf;
        }

        /// <summary>Parses an ELF64 BPF object. Throws <see cref="ObjectFormatException"/> (only) when the bytes are malformed.</summary>
        public static ObjectSpec Parse(ReadOnlySpan<byte> elf) => Linking.ObjectReader.Read(elf);

        public bool IsLittleEndian { get; }

        /// <summary>The "license" section, "" when absent.</summary>
        public string License { get; }

        /// <summary>The "version" section, 0 when absent.</summary>
        public uint KernelVersion { get; }

        /// <summary>BTF-defined maps from ".maps" (in offset order, as declared), then one map per data section (section order).</summary>
        public IReadOnlyList<MapSpec> Maps { get; }

        /// <summary>One per global function in an executable section other than .text, in section then symbol-offset order.</summary>
        public IReadOnlyList<ProgramSpec> Programs { get; }

        /// <summary>.rodata*, .data*, .bss*, in section order.</summary>
        public IReadOnlyList<DataSectionSpec> DataSections { get; }

        /// <summary>The object's ".BTF"; null when absent.</summary>
        public BtfSpec? Btf { get; }

        public MapSpec? FindMap(string name)
        {
            foreach (var map in Maps)
                if (map.Name == name)
                    return map;
            return null;
        }

        public ProgramSpec? FindProgram(string name)
        {
            foreach (var program in Programs)
                if (program.Name == name)
                    return program;
            return null;
        }
    }
}
