using System.Globalization;
using System.Text;

namespace Ebpf.Generator.Emitting
{
    /// <summary>C# literals for values copied from the object or the build.</summary>
    internal static class Literals
    {
        /// <summary>A regular string literal: printable ASCII stays, '"' and '\' are escaped, everything else
        /// (line breaks of any kind, control characters, non-ASCII, lone surrogates) becomes \uXXXX.</summary>
        public static string String(string value)
        {
            var sb = new StringBuilder(value.Length + 2);
            sb.Append('"');
            foreach (var c in value)
            {
                if (c == '"' || c == '\\')
                    sb.Append('\\').Append(c);
                else if (c >= 0x20 && c < 0x7f)
                    sb.Append(c);
                else
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            return sb.Append('"').ToString();
        }

        public static string Number(uint value) => value.ToString(CultureInfo.InvariantCulture);

        public static string Hex(ulong value) => "0x" + value.ToString("X", CultureInfo.InvariantCulture) + "UL";
    }
}
