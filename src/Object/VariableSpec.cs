namespace Ebpf.Object
{
    /// <summary>A global variable of a data section, from the section's BTF DATASEC.</summary>
    public sealed class VariableSpec
    {
        public VariableSpec(string name, uint offset, uint size, uint typeId, bool isConst, bool isGlobal = true)
        {
            Name = name;
            Offset = offset;
            Size = size;
            TypeId = typeId;
            IsConst = isConst;
            IsGlobal = isGlobal;
        }

        public string Name { get; }

        /// <summary>Byte offset of the variable in its data section.</summary>
        public uint Offset { get; }

        public uint Size { get; }

        /// <summary>BTF type of the variable (the VAR's target type).</summary>
        public uint TypeId { get; }

        /// <summary>The type is const-qualified (through typedefs and volatile): <c>const volatile</c> globals in .rodata.</summary>
        public bool IsConst { get; }

        /// <summary>False for <c>static</c> variables (BTF linkage static): libbpf's skeletons expose only globals.</summary>
        public bool IsGlobal { get; }

        public override string ToString() => $"{Name}@{Offset}+{Size}";
    }
}
