using System.Runtime.CompilerServices;

namespace Ebpf.Maps;

/// <summary>
/// The kernel's layout of per-CPU values: one slot per possible CPU, each <see cref="Stride"/> bytes (the value size
/// rounded up to 8), for the per-key calls and, key after key, for the batch calls. Values whose size is already a
/// multiple of 8 have this layout in a C# span; others are repacked here, the one place that knows the stride.
/// </summary>
internal static unsafe class PerCpuLayout<TValue> where TValue : unmanaged
{
    /// <summary>Bytes the kernel gives each CPU's value.</summary>
    public static readonly int Stride = (sizeof(TValue) + 7) & ~7;

    /// <summary>Whether a span of values differs from the kernel's layout (the size is not a multiple of 8).</summary>
    public static bool Padded => Stride != sizeof(TValue);

    /// <summary>Writes <paramref name="values"/> to <paramref name="kernel"/> at the kernel's stride, padding zeroed.</summary>
    public static void Pack(ReadOnlySpan<TValue> values, byte* kernel)
    {
        new Span<byte>(kernel, values.Length * Stride).Clear();
        for (var i = 0; i < values.Length; i++)
            Unsafe.WriteUnaligned(kernel + (nint)i * Stride, values[i]);
    }

    /// <summary>Reads <paramref name="values"/>.Length values from <paramref name="kernel"/> at the kernel's stride.</summary>
    public static void Unpack(byte* kernel, Span<TValue> values)
    {
        for (var i = 0; i < values.Length; i++)
            values[i] = Unsafe.ReadUnaligned<TValue>(kernel + (nint)i * Stride);
    }
}
