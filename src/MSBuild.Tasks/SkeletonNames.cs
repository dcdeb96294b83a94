using System.Text;

namespace Ebpf.Build;

/// <summary>The default <c>SkeletonName</c> of a source: <c>xdp-proxy.bpf.c</c> -> <c>XdpProxySkel</c>.</summary>
internal static class SkeletonNames
{
    public static string FromFileName(string fileName)
    {
        var stem = fileName;
        foreach (var suffix in new[] { ".bpf.c", ".c" })
        {
            if (stem.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                stem = stem[..^suffix.Length];
                break;
            }
        }
        var sb = new StringBuilder();
        var startOfWord = true;
        foreach (var c in stem)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                startOfWord = true;
                continue;
            }
            sb.Append(startOfWord ? char.ToUpperInvariant(c) : c);
            startOfWord = false;
        }
        if (sb.Length == 0 || char.IsAsciiDigit(sb[0]))
            sb.Insert(0, '_');
        return sb.Append("Skel").ToString();
    }
}
