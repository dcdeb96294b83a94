namespace Ebpf.Internal;

/// <summary>One line of /proc/self/mountinfo: where a file system of which type is mounted.</summary>
internal readonly record struct MountEntry(string MountPoint, string FileSystemType, string Source);

/// <summary>
/// The one /proc/self/mountinfo parser (proc(5)): "id parent major:minor root mount-point options [optional...] -
/// fstype source super-options". The optional fields vary in number, so the line is split at the " - " separator.
/// Paths escape space, tab, newline and backslash as \ooo octal.
/// </summary>
internal static class MountInfo
{
    public const string SelfPath = "/proc/self/mountinfo";

    /// <summary>The mounts of this process's mount namespace, in mount order; empty when /proc is not mounted.</summary>
    public static IReadOnlyList<MountEntry> Read() =>
        File.Exists(SelfPath) ? Parse(File.ReadLines(SelfPath)) : [];

    public static IReadOnlyList<MountEntry> Parse(IEnumerable<string> lines)
    {
        var mounts = new List<MountEntry>();
        foreach (var line in lines)
            if (ParseLine(line) is { } entry)
                mounts.Add(entry);
        return mounts;
    }

    /// <summary>The entry of one line, or null for a line that is not one.</summary>
    public static MountEntry? ParseLine(string line)
    {
        var sep = line.IndexOf(" - ", StringComparison.Ordinal);
        if (sep < 0)
            return null;
        var before = line[..sep].Split(' ');
        var after = line[(sep + 3)..].Split(' ');
        if (before.Length < 6 || after.Length < 2)
            return null;
        return new MountEntry(Unescape(before[4]), after[0], Unescape(after[1]));
    }

    private static string Unescape(string s)
    {
        if (!s.Contains('\\'))
            return s;
        var sb = new System.Text.StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length && IsOctal(s[i + 1]) && IsOctal(s[i + 2]) && IsOctal(s[i + 3]))
            {
                sb.Append((char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
                i += 3;
            }
            else
                sb.Append(s[i]);
        }
        return sb.ToString();
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
