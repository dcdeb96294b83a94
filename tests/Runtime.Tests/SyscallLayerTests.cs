using System.Text.RegularExpressions;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// Keeps the syscall layer sealed, as cilium/ebpf's internal/sys and internal/unix are: bpf(2) is entered only from
/// src/Runtime/Internal/Sys (everyone else calls its typed wrappers), libc is imported only in
/// src/Runtime/Internal/Unix/Libc.cs, and the mountinfo and cpu-list files are parsed once. BannedApiAnalyzers works
/// per project, not per folder, hence a scan of the sources.
/// </summary>
public class SyscallLayerTests
{
    private const string SysFolder = "src/Runtime/Internal/Sys/";
    private const string UnixFolder = "src/Runtime/Internal/Unix/";

    [Fact]
    public void RawBpfCallsStayInTheSysFolder() =>
        AssertNone(Violations(new Regex(@"\bBpfSyscall\s*\.\s*Call\b"), ["src", "tests", "bench", "examples"], allowedPrefix: SysFolder),
                   $"bpf(2) is called raw outside {SysFolder}; call a typed wrapper (Sys.*, MapSyscalls, LinkSyscalls) instead");

    [Fact]
    public void AttributeStructsAreDeclaredInTheSysFolder() =>
        AssertNone(Violations(new Regex(@"(?<!record )\bstruct\s+\w+Attr\b"), ["src", "tests", "bench", "examples"],
                              allowedPrefix: SysFolder, alsoAllowed: UnixFolder + "PerfEventOpen.cs"),
                   $"a bpf_attr layout is declared outside {SysFolder}; use (or add) the one there");

    [Fact]
    public void LibcIsImportedOnlyInLibc() =>
        AssertNone(Violations(new Regex(@"\[\s*(System\.Runtime\.InteropServices\.)?(DllImport|LibraryImport)\b"), ["src"],
                              allowedPrefix: UnixFolder + "Libc.cs", alsoAllowed: "src/Testing/Internal/TestingLibc.cs"),
                   $"a P/Invoke is declared outside {UnixFolder}Libc.cs (or the test kit's src/Testing/Internal/TestingLibc.cs); add the function there");

    [Fact]
    public void MountinfoAndCpuListsAreParsedOnce()
    {
        AssertNone(Violations(new Regex(@"""/proc/self/mountinfo"""), ["src", "examples", "tests/TestKit"], allowedPrefix: UnixFolder + "MountInfo.cs"),
                   "/proc/self/mountinfo is read outside MountInfo.cs; use KernelMounts (public) or MountInfo (runtime)");
        AssertNone(Violations(new Regex(@"""/sys/devices/system/cpu/(online|possible)"""), ["src", "examples"], allowedPrefix: UnixFolder + "CpuList.cs"),
                   "a CPU list is read outside CpuList.cs; use CpuList");
    }

    private static void AssertNone(IReadOnlyList<string> violations, string why) =>
        Assert.True(violations.Count == 0, why + ":\n  " + string.Join("\n  ", violations));

    /// <summary>"path:line: text" of every line matching <paramref name="pattern"/> in the C# sources under <paramref name="roots"/>, outside the allowed place.</summary>
    internal static IReadOnlyList<string> Violations(Regex pattern, string[] roots, string allowedPrefix, string? alsoAllowed = null)
    {
        var found = new List<string>();
        foreach (var root in roots)
        {
            var dir = Path.Combine(RepoPaths.Root, root);
            if (!Directory.Exists(dir))
                continue;
            foreach (var file in Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(RepoPaths.Root, file).Replace('\\', '/');
                if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal)
                    || relative.StartsWith(allowedPrefix, StringComparison.Ordinal) || relative == alsoAllowed
                    || relative.EndsWith("/" + nameof(SyscallLayerTests) + ".cs", StringComparison.Ordinal))
                    continue;
                var lineNumber = 0;
                foreach (var line in File.ReadLines(file))
                {
                    lineNumber++;
                    if (pattern.IsMatch(line) && !line.TrimStart().StartsWith("//", StringComparison.Ordinal))
                        found.Add($"{relative}:{lineNumber}: {line.Trim()}");
                }
            }
        }
        return found;
    }
}
