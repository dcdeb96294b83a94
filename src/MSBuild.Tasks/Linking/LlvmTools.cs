using System.Text.RegularExpressions;

namespace Ebpf.Build.Linking;

/// <summary>
/// llvm-link, llc and llvm-nm from the same LLVM as the clang in use: bitcode is only readable by the LLVM version
/// that wrote it (or newer). Looked up beside clang's real path (/usr/bin/clang -> /usr/lib/llvm-14/bin/clang),
/// then as <c>llvm-link-14</c> etc. on PATH for the version in that path.
/// </summary>
internal static partial class LlvmTools
{
    public sealed record Paths(string? LlvmLink, string? Llc, string? LlvmNm);

    [GeneratedRegex(@"llvm-(\d+)")]
    private static partial Regex VersionInPath();

    public static Paths Find(string clangPath, string? pathVariable)
    {
        if (clangPath.Length == 0)
            return new Paths(null, null, null);
        string real;
        try
        {
            real = new FileInfo(clangPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(clangPath);
        }
        catch (IOException)
        {
            real = Path.GetFullPath(clangPath);
        }
        var dir = Path.GetDirectoryName(real)!;
        var version = VersionInPath().Match(real) is { Success: true } m ? m.Groups[1].Value : null;
        string? Tool(string name)
        {
            var beside = Path.Combine(dir, name);
            if (File.Exists(beside))
                return beside;
            if (version is null)
                return null;
            foreach (var d in (pathVariable ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(d, name + "-" + version);
                if (File.Exists(candidate))
                    return candidate;
            }
            return null;
        }
        return new Paths(Tool("llvm-link"), Tool("llc"), Tool("llvm-nm"));
    }
}
