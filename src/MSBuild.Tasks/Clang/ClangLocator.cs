using System.Text.RegularExpressions;

namespace Ebpf.Build.Clang;

/// <summary>
/// Finds the clang that compiles BPF sources: the <c>BpfClangPath</c> property, then the <c>BPF_CLANG</c>
/// environment variable, then <c>clang</c> on PATH, then the highest <c>clang-NN</c> on PATH.
/// </summary>
internal static partial class ClangLocator
{
    public const string EnvironmentVariable = "BPF_CLANG";

    [GeneratedRegex(@"^clang-(\d+)$")]
    private static partial Regex VersionedName();

    /// <summary>The result of a search: the path found (null when none), and where it came from, for messages.</summary>
    public readonly record struct Result(string? Path, string Source);

    public static Result Find(string? explicitPath, string? environmentValue, string? pathVariable)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
            return Resolve(explicitPath.Trim(), pathVariable, "BpfClangPath");
        if (!string.IsNullOrWhiteSpace(environmentValue))
            return Resolve(environmentValue.Trim(), pathVariable, EnvironmentVariable);

        var dirs = SplitPath(pathVariable);
        foreach (var dir in dirs)
        {
            var candidate = System.IO.Path.Combine(dir, "clang");
            if (IsExecutableFile(candidate))
                return new Result(candidate, "PATH");
        }

        // No plain clang: take the newest versioned one (Debian installs clang-14, clang-16, ... side by side).
        string? best = null;
        var bestVersion = -1;
        foreach (var dir in dirs)
        {
            if (!Directory.Exists(dir))
                continue;
            IEnumerable<string> files;
            try { files = Directory.EnumerateFiles(dir, "clang-*"); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            foreach (var file in files)
            {
                var m = VersionedName().Match(System.IO.Path.GetFileName(file));
                if (m.Success && int.TryParse(m.Groups[1].Value, out var version) && version > bestVersion && IsExecutableFile(file))
                {
                    best = file;
                    bestVersion = version;
                }
            }
        }
        return new Result(best, "PATH");
    }

    /// <summary>A value from the property or the environment: a path, or a bare name looked up on PATH.</summary>
    private static Result Resolve(string value, string? pathVariable, string source)
    {
        if (value.Contains('/'))
            return new Result(IsExecutableFile(value) ? System.IO.Path.GetFullPath(value) : null, source);
        foreach (var dir in SplitPath(pathVariable))
        {
            var candidate = System.IO.Path.Combine(dir, value);
            if (IsExecutableFile(candidate))
                return new Result(candidate, source);
        }
        return new Result(null, source);
    }

    private static List<string> SplitPath(string? pathVariable) =>
        (pathVariable ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                            .Where(System.IO.Path.IsPathRooted).ToList();

    private static bool IsExecutableFile(string path)
    {
        if (!File.Exists(path))
            return false;
        if (OperatingSystem.IsWindows())
            return true;
        var mode = File.GetUnixFileMode(path);
        return (mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
    }
}
