using System.Text;

namespace Ebpf.Loader;

/// <summary>The names the loader gives kernel objects, chosen to match libbpf's so bpftool output looks the same.</summary>
internal static class LoaderNames
{
    private const int ObjNameLen = 16;

    /// <summary>libbpf's object name: the file name up to its first '.' ("xdp_proxy.bpf.o" → "xdp_proxy").</summary>
    public static string ObjectName(string pathOrResource)
    {
        var file = Path.GetFileName(pathOrResource);
        // Embedded resources are "Namespace.Objects.name.bpf.o": take the part before ".bpf.o" after the last dot.
        if (file.EndsWith(".bpf.o", StringComparison.Ordinal))
        {
            var stem = file[..^".bpf.o".Length];
            var dot = stem.LastIndexOf('.');
            if (dot >= 0 && pathOrResource.IndexOf('/') < 0)
                return stem[(dot + 1)..];
            file = stem;
        }
        var first = file.IndexOf('.');
        return first > 0 ? file[..first] : file;
    }

    /// <summary>
    /// libbpf's name for a data map: as much of the object name as fits before the section name (which keeps at
    /// least 7 characters) in the kernel's 15, e.g. "xdp_prox.rodata"; custom sections keep just their own name
    /// (".data.custom"); characters the kernel refuses become '_'.
    /// </summary>
    public static string DataMapName(string objectName, string sectionName)
    {
        var suffixLength = Math.Max(7, sectionName.Length);
        // Custom sections (".data.foo", ".rodata.cst16") get no prefix: their own names are long enough to clash less.
        var custom = sectionName.IndexOf('.', 1) >= 0;
        var prefixLength = custom ? 0 : Math.Max(0, Math.Min(ObjNameLen - suffixLength - 1, objectName.Length));
        var raw = objectName[..prefixLength] + sectionName[..Math.Min(suffixLength, sectionName.Length)];
        if (raw.Length > ObjNameLen - 1)
            raw = raw[..(ObjNameLen - 1)];
        var sb = new StringBuilder(raw.Length);
        foreach (var c in raw)
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' ? c : '_');
        return sb.ToString();
    }
}
