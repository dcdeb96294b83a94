using System.Text.RegularExpressions;

namespace Ebpf.Build.Clang;

internal enum ClangSeverity { Error, Warning, Note, Other }

/// <summary>
/// One line of clang's output in <c>-fdiagnostics-format=msvc</c> form, e.g.
/// <c>/src/x.bpf.c(12,5): error: use of undeclared identifier 'y'</c>, or a line without a location
/// (<c>clang: error: ...</c>, source snippets, carets).
/// </summary>
internal sealed partial record ClangDiagnostic(ClangSeverity Severity, string? File, int Line, int Column, string Message, string? Code)
{
    [GeneratedRegex(@"^(?<file>.+?)\((?<line>\d+)(,(?<col>\d+))?\)\s*:\s*(?<sev>fatal error|error|warning|note|remark)\s*:\s*(?<msg>.*)$")]
    private static partial Regex Located();

    [GeneratedRegex(@"^(?<tool>[^:\s()]+):\s*(?<sev>fatal error|error|warning)\s*:\s*(?<msg>.*)$")]
    private static partial Regex Unlocated();

    [GeneratedRegex(@"\s*\[(?<flag>-W[^\]]+)\]$")]
    private static partial Regex WarningFlag();

    [GeneratedRegex(@"'(?<header>[^']+)' file not found")]
    private static partial Regex MissingHeader();

    public static ClangDiagnostic Parse(string line)
    {
        var m = Located().Match(line);
        if (m.Success)
        {
            var col = m.Groups["col"].Success ? int.Parse(m.Groups["col"].Value) : 0;
            var (message, code) = SplitFlag(m.Groups["msg"].Value);
            return new ClangDiagnostic(ToSeverity(m.Groups["sev"].Value), m.Groups["file"].Value,
                                       int.Parse(m.Groups["line"].Value), col, WithHint(message), code);
        }
        m = Unlocated().Match(line);
        if (m.Success)
        {
            var (message, code) = SplitFlag(m.Groups["msg"].Value);
            return new ClangDiagnostic(ToSeverity(m.Groups["sev"].Value), null, 0, 0, WithHint(message), code);
        }
        return new ClangDiagnostic(ClangSeverity.Other, null, 0, 0, line, null);
    }

    private static ClangSeverity ToSeverity(string s) => s switch
    {
        "error" or "fatal error" => ClangSeverity.Error,
        "warning" => ClangSeverity.Warning,
        "note" or "remark" => ClangSeverity.Note,
        _ => ClangSeverity.Other,
    };

    /// <summary>"unused variable 'x' [-Wunused-variable]" -> message and "-Wunused-variable" (the flag that controls it).</summary>
    private static (string Message, string? Code) SplitFlag(string message)
    {
        var m = WarningFlag().Match(message);
        return m.Success ? (message[..m.Index], m.Groups["flag"].Value) : (message, null);
    }

    /// <summary>A missing well-known header says which package provides it.</summary>
    internal static string WithHint(string message)
    {
        var m = MissingHeader().Match(message);
        if (!m.Success)
            return message;
        var header = m.Groups["header"].Value;
        if (header.StartsWith("bpf/", StringComparison.Ordinal))
            return message + " (the libbpf headers are missing: install the libbpf-dev package, e.g. `apt-get install libbpf-dev`)";
        if (header.StartsWith("linux/", StringComparison.Ordinal) || header.StartsWith("asm/", StringComparison.Ordinal) || header.StartsWith("asm-generic/", StringComparison.Ordinal))
            return message + " (the Linux UAPI headers are missing: install the linux-libc-dev package)";
        if (header == "vmlinux.h")
            return message + " (set <BpfGenerateVmlinuxHeader>true</BpfGenerateVmlinuxHeader> in the project to have the build write vmlinux.h from the kernel's BTF)";
        return message;
    }
}
