namespace Ebpf.Object
{
    /// <summary>libbpf's <c>LIBBPF_PIN_*</c> values of a BTF map's <c>pinning</c> attribute.</summary>
    public enum PinType : uint
    {
        None = 0,
        ByName = 1,
    }
}
