using System.Text;

namespace Ebpf.Build;

/// <summary>
/// Reads the make-style dependency file clang writes with <c>-MD -MF x.d</c>:
/// <c>x.o: x.c /usr/include/linux/bpf.h \</c> continued over lines, spaces in paths escaped as <c>\ </c>.
/// </summary>
internal static class DependencyFile
{
    /// <summary>The prerequisites of the first rule (the files the object was built from), in order, without duplicates.</summary>
    public static IReadOnlyList<string> Parse(string text)
    {
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var token = new StringBuilder();
        var afterColon = false;
        void Flush()
        {
            if (token.Length == 0)
                return;
            var value = token.ToString();
            token.Clear();
            if (afterColon && seen.Add(value))
                result.Add(value);
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                var next = text[i + 1];
                if (next == '\n' || next == '\r')
                {
                    // line continuation
                    Flush();
                    i++;
                    if (next == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                        i++;
                    continue;
                }
                if (next == ' ' || next == '#' || next == '\\')
                {
                    token.Append(next);
                    i++;
                    continue;
                }
            }
            if (c == '$' && i + 1 < text.Length && text[i + 1] == '$')
            {
                token.Append('$');
                i++;
                continue;
            }
            if (c == ':' && !afterColon && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1])))
            {
                token.Clear(); // the target
                afterColon = true;
                continue;
            }
            if (c == '\n' || c == '\r')
            {
                Flush();
                if (afterColon)
                    break; // only the first rule; clang writes one
                continue;
            }
            if (c == ' ' || c == '\t')
            {
                Flush();
                continue;
            }
            token.Append(c);
        }
        Flush();
        return result;
    }
}
