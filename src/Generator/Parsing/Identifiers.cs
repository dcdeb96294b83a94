using System.Text;
using Ebpf.Object;
using Microsoft.CodeAnalysis.CSharp;

namespace Ebpf.Generator.Parsing
{
    /// <summary>
    /// Turns names from the object (arbitrary bytes: BTF and ELF strings are not checked by anyone) into C#
    /// identifiers. Only ASCII letters, digits and '_' survive, so nothing from the object can reach the
    /// generated code except as a plain identifier or an escaped string literal.
    /// </summary>
    internal static class Identifiers
    {
        private const int MaxLength = SkeletonNames.MaxIdentifierLength;

        /// <summary>PascalCase from snake_case: "flow_key" -> "FlowKey", "XDP_PASS" -> "XdpPass" (the rule the default skeleton name uses too).</summary>
        public static string ToPascal(string raw) => SkeletonNames.ToPascal(raw);

        /// <summary>A dotted namespace with each part made an identifier; empty parts dropped.</summary>
        public static string ToNamespace(string raw)
        {
            var sb = new StringBuilder();
            foreach (var part in raw.Split('.'))
            {
                var id = KeepIdentifierChars(part);
                if (id.Length == 0)
                    continue;
                if (sb.Length > 0)
                    sb.Append('.');
                sb.Append(id);
            }
            return sb.ToString();
        }

        /// <summary>Keeps the identifier characters of a name the user chose (skeleton name, namespace part) as they are.</summary>
        public static string KeepIdentifierChars(string raw)
        {
            var sb = new StringBuilder();
            foreach (var c in raw)
                if (IsAsciiLetterOrDigit(c) || c == '_')
                    sb.Append(c);
            if (sb.Length > 0 && sb[0] >= '0' && sb[0] <= '9')
                sb.Insert(0, '_');
            var id = sb.Length > MaxLength ? sb.ToString(0, MaxLength) : sb.ToString();
            return IsKeyword(id) ? "@" + id : id;
        }

        public static bool IsKeyword(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None;

        /// <summary>Text safe inside a // or XML doc comment: printable ASCII only (no line breaks of any kind), XML-escaped.</summary>
        public static string ForComment(string raw, int maxLength = 80) => Printable(raw, maxLength, xml: true);

        /// <summary>Printable ASCII only (other characters become '?'), cut at <paramref name="maxLength"/>.</summary>
        public static string Printable(string raw, int maxLength, bool xml = false)
        {
            var sb = new StringBuilder();
            foreach (var c in raw)
            {
                if (sb.Length >= maxLength)
                {
                    sb.Append("...");
                    break;
                }
                switch (xml ? c : '\0')
                {
                    case '<': sb.Append("&lt;"); break;
                    case '>': sb.Append("&gt;"); break;
                    case '&': sb.Append("&amp;"); break;
                    default:
                        sb.Append(c >= 0x20 && c < 0x7f ? c : '?');
                        break;
                }
            }
            return sb.ToString();
        }

        private static bool IsAsciiLetterOrDigit(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
