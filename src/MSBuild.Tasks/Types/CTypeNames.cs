namespace Ebpf.Build.Types;

/// <summary>
/// The type names declared in preprocessed C (<c>clang -E</c> output): tags after <c>struct</c>/<c>union</c>/
/// <c>enum</c>, and the names a <c>typedef</c> declares. A token scan, not a parser: it is only used to suggest
/// close names when a <c>Types</c> name does not exist, so an occasional miss costs a suggestion, nothing more.
/// </summary>
internal static class CTypeNames
{
    public static IReadOnlySet<string> Scan(string preprocessed)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var tokens = Tokenize(preprocessed).ToList();
        var inTypedef = false;
        var depth = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            switch (t)
            {
                case "{" or "(" or "[":
                    depth++;
                    continue;
                case "}" or ")" or "]":
                    depth = Math.Max(0, depth - 1);
                    continue;
                case "typedef" when depth == 0:
                    inTypedef = true;
                    continue;
                case "struct" or "union" or "enum":
                    var j = i + 1;
                    while (j < tokens.Count && tokens[j] == "__attribute__")
                        j = SkipParens(tokens, j + 1);
                    if (j < tokens.Count && IsIdentifier(tokens[j]))
                        names.Add(tokens[j]);
                    continue;
                case ";" or "," when depth == 0:
                    if (inTypedef && i > 0 && IsIdentifier(tokens[i - 1]))
                        names.Add(tokens[i - 1]);
                    if (t == ";")
                        inTypedef = false;
                    continue;
            }
        }
        return names;
    }

    private static int SkipParens(List<string> tokens, int i)
    {
        var depth = 0;
        for (; i < tokens.Count; i++)
        {
            if (tokens[i] == "(") depth++;
            else if (tokens[i] == ")" && --depth == 0) return i + 1;
        }
        return i;
    }

    private static bool IsIdentifier(string token) => CString.IsIdentifier(token) && token is not ("struct" or "union" or "enum" or "typedef");

    /// <summary>Identifiers, and every other character as its own token; string and character literals and numbers skipped.</summary>
    private static IEnumerable<string> Tokenize(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                    i++;
                yield return text[start..i];
            }
            else if (char.IsAsciiDigit(c))
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '.'))
                    i++;
            }
            else if (c is '"' or '\'')
            {
                i++;
                while (i < text.Length && text[i] != c)
                    i += text[i] == '\\' ? 2 : 1;
                i++;
            }
            else if (c == '#')
            {
                // a leftover directive line (#pragma): skip it
                while (i < text.Length && text[i] != '\n')
                    i++;
            }
            else
            {
                i++;
                if (!char.IsWhiteSpace(c))
                    yield return c.ToString();
            }
        }
    }
}
