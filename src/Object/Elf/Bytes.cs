using System;
using System.Buffers.Binary;
using System.Text;

namespace Ebpf.Object.Elf
{
    /// <summary>
    /// Bounds-checked, byte-order-aware reads from a span. Every read names what it was reading, so a short
    /// or inconsistent input becomes an <see cref="ObjectFormatException"/> that says where, never an
    /// IndexOutOfRange or ArgumentOutOfRange.
    /// </summary>
    internal static class Bytes
    {
        public static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> data, ulong offset, ulong length, string what)
        {
            if (offset > (ulong)data.Length || length > (ulong)data.Length - offset)
                throw new ObjectFormatException($"{what}: range [{offset}, +{length}) lies outside the {data.Length} bytes available");
            return data.Slice((int)offset, (int)length);
        }

        public static ushort U16(ReadOnlySpan<byte> data, ulong offset, bool le, string what)
        {
            var s = Slice(data, offset, 2, what);
            return le ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);
        }

        public static uint U32(ReadOnlySpan<byte> data, ulong offset, bool le, string what)
        {
            var s = Slice(data, offset, 4, what);
            return le ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);
        }

        public static ulong U64(ReadOnlySpan<byte> data, ulong offset, bool le, string what)
        {
            var s = Slice(data, offset, 8, what);
            return le ? BinaryPrimitives.ReadUInt64LittleEndian(s) : BinaryPrimitives.ReadUInt64BigEndian(s);
        }

        public static void WriteU32(Span<byte> data, int offset, uint value, bool le)
        {
            var s = data.Slice(offset, 4);
            if (le) BinaryPrimitives.WriteUInt32LittleEndian(s, value);
            else BinaryPrimitives.WriteUInt32BigEndian(s, value);
        }

        public static void WriteI32(Span<byte> data, int offset, int value, bool le) => WriteU32(data, offset, unchecked((uint)value), le);

        /// <summary>The NUL-terminated string at <paramref name="offset"/> of a string table.</summary>
        public static string CString(ReadOnlySpan<byte> table, uint offset, string what)
        {
            if (offset >= (uint)table.Length)
                throw new ObjectFormatException($"{what}: string offset {offset} is outside the {table.Length}-byte string table");
            var rest = table.Slice((int)offset);
            var end = rest.IndexOf((byte)0);
            if (end < 0)
                throw new ObjectFormatException($"{what}: string at offset {offset} is not NUL-terminated within its table");
            return end == 0 ? "" : Utf8(rest.Slice(0, end));
        }

        public static string Utf8(ReadOnlySpan<byte> bytes) => bytes.Length == 0 ? "" : Encoding.UTF8.GetString(bytes.ToArray());
    }
}
