namespace Ebpf.Object
{
    /// <summary>What kind of global data a data section holds, from its name.</summary>
    public enum DataSectionKind
    {
        /// <summary><c>.rodata</c>, <c>.rodata.*</c>: constants and <c>const volatile</c> globals.</summary>
        ReadOnly,
        /// <summary><c>.data</c>, <c>.data.*</c>: initialised globals.</summary>
        Data,
        /// <summary><c>.bss</c>, <c>.bss.*</c>: zero-initialised globals.</summary>
        Bss,
    }
}
