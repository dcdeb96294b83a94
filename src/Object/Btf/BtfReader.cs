using System;
using Ebpf.Object;

namespace Ebpf.Btf
{
    internal static class BtfReader
    {
        public static BtfSpec Read(ReadOnlySpan<byte> btf, bool littleEndian, BtfSpec? baseSpec)
            => throw new ObjectFormatException("BTF parsing is being written (shape-only commit)");
    }
}
