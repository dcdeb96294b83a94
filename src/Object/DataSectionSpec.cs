using System.Collections.Generic;

namespace Ebpf.Object
{
    /// <summary>A global data section (.rodata*, .data*, .bss*) and the variables in it.</summary>
    public sealed class DataSectionSpec
    {
        public DataSectionSpec(string name, DataSectionKind kind, byte[] initialValue, uint dataSecTypeId, IReadOnlyList<VariableSpec> variables)
        {
            Name = name;
            Kind = kind;
            InitialValue = initialValue;
            DataSecTypeId = dataSecTypeId;
            Variables = variables;
        }

        /// <summary>The ELF section name: ".rodata", ".data.counters", ".bss".</summary>
        public string Name { get; }

        public DataSectionKind Kind { get; }

        public uint Size => (uint)InitialValue.Length;

        /// <summary><see cref="Size"/> bytes: the section's contents, zeros for .bss.</summary>
        public byte[] InitialValue { get; }

        /// <summary>The BTF DATASEC type id, 0 when the object has no DATASEC for this section.</summary>
        public uint DataSecTypeId { get; }

        /// <summary>The variables, in offset order.</summary>
        public IReadOnlyList<VariableSpec> Variables { get; }

        public override string ToString() => $"{Name} ({Size} bytes, {Variables.Count} variables)";
    }
}
