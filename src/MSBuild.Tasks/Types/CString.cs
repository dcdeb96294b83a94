using System.Text;

namespace Ebpf.Build.Types;

internal static class CString
{
    /// <summary>An <c>#include</c> line for an absolute path. A header name is not a string literal: no escapes, taken as written.</summary>
    public static string Include(string path) => "#include \"" + path + "\"\n";

    /// <summary>A C string literal (for <c>#line</c>).</summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in value)
        {
            if (c is '"' or '\\')
                sb.Append('\\');
            sb.Append(c);
        }
        return sb.Append('"').ToString();
    }

    /// <summary>True for a C identifier (what a Types name must be).</summary>
    public static bool IsIdentifier(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
