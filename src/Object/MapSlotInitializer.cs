namespace Ebpf.Object
{
    /// <summary>One slot of a map-of-maps or prog array set statically in C (<c>.values = { [1] = &amp;inner }</c>).</summary>
    internal readonly record struct MapSlotInitializer(uint Index, string Symbol);
}
