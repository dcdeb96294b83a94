using System;
using System.Text;

namespace Ebpf.Object
{
    /// <summary>
    /// The default skeleton class name of a BPF source or object file, and the PascalCase rule behind it. The build
    /// task sets it from the source ("xdp-proxy.bpf.c"); the generator falls back to it from the object
    /// ("xdp-proxy.bpf.o") when the task did not; both give <c>XdpProxySkel</c>.
    /// </summary>
    internal static class SkeletonNames
    {
        /// <summary>Roslyn rejects identifiers over 511 characters; stay well below.</summary>
        public const int MaxIdentifierLength = 128;

        private static readonly string[] FileSuffixes = { ".bpf.c", ".bpf.o", ".c", ".o" };

        /// <summary>"xdp-proxy.bpf.c", "XDP-proxy.bpf.o", "obj/Debug/bpf/xdp-proxy.bpf.o.b64" -> "XdpProxySkel".</summary>
        public static string FromFileName(string fileName)
        {
            var stem = fileName.Substring(Math.Max(fileName.LastIndexOf('/'), fileName.LastIndexOf('\\')) + 1);
            if (stem.EndsWith(".b64", StringComparison.OrdinalIgnoreCase))
                stem = stem.Substring(0, stem.Length - ".b64".Length);
            foreach (var suffix in FileSuffixes)
            {
                if (stem.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                {
                    stem = stem.Substring(0, stem.Length - suffix.Length);
                    break;
                }
            }
            var pascal = ToPascal(stem);
            return (pascal.Length == 0 ? "Bpf" : pascal) + "Skel";
        }

        /// <summary>
        /// PascalCase from snake_case, kebab-case or dotted names: "flow_key" -> "FlowKey", "XDP_PASS" -> "XdpPass",
        /// "dstPort" -> "DstPort". Every character that is not an ASCII letter or digit separates words; a word in
        /// capitals only is lowered after its first letter. Returns "" when nothing is left; a leading digit gets a
        /// '_' in front.
        /// </summary>
        public static string ToPascal(string raw)
        {
            var sb = new StringBuilder();
            var word = new StringBuilder();
            foreach (var c in raw)
            {
                if (IsAsciiLetterOrDigit(c))
                {
                    word.Append(c);
                    continue;
                }
                AppendWord(sb, word);
            }
            AppendWord(sb, word);
            if (sb.Length == 0)
                return "";
            if (sb[0] >= '0' && sb[0] <= '9')
                sb.Insert(0, '_');
            return sb.Length > MaxIdentifierLength ? sb.ToString(0, MaxIdentifierLength) : sb.ToString();
        }

        private static void AppendWord(StringBuilder sb, StringBuilder word)
        {
            if (word.Length == 0)
                return;
            var allUpper = true;
            for (var i = 0; i < word.Length; i++)
                if (word[i] >= 'a' && word[i] <= 'z')
                    allUpper = false;
            sb.Append(char.ToUpperInvariant(word[0]));
            for (var i = 1; i < word.Length; i++)
                sb.Append(allUpper ? char.ToLowerInvariant(word[i]) : word[i]);
            word.Clear();
        }

        private static bool IsAsciiLetterOrDigit(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
