using System;

namespace Ebpf.Object.Linking
{
    internal static class ObjectReader
    {
        public static ObjectSpec Read(ReadOnlySpan<byte> elf)
            => throw new ObjectFormatException("object parsing is being written (shape-only commit)");
    }
}
