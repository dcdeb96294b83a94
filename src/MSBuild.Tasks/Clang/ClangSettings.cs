using System.Runtime.InteropServices;

namespace Ebpf.Build.Clang;

/// <summary>The project-wide part of a clang command line (from the <c>Bpf*</c> properties).</summary>
internal sealed record ClangSettings(
    string ProjectDirectory,
    string Target,
    string TargetArch,
    string? MultiarchIncludeDirectory,
    IReadOnlyList<string> CFlags,
    string? VmlinuxDirectory)
{
    /// <summary>
    /// The settings for this build machine: <paramref name="targetArch"/> empty means the machine's own, the multiarch
    /// include folder is the host's. The task and the test kit's object compiler both start here.
    /// </summary>
    public static ClangSettings ForHost(string projectDirectory, string target = "bpfel", string? targetArch = null,
                                        string? cflags = null, string? vmlinuxDirectory = null) =>
        new(Path.GetFullPath(projectDirectory),
            target,
            string.IsNullOrWhiteSpace(targetArch) ? HostTargetArch() : targetArch.Trim(),
            HostMultiarchIncludeDirectory(),
            SplitFlags(cflags),
            string.IsNullOrWhiteSpace(vmlinuxDirectory) ? null : Path.GetFullPath(vmlinuxDirectory, projectDirectory));

    /// <summary>The <c>__TARGET_ARCH_*</c> name libbpf's bpf_tracing.h expects for the machine we build on.</summary>
    public static string HostTargetArch() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "x86",
        Architecture.X86 => "x86",
        Architecture.Arm64 => "arm64",
        Architecture.Arm or Architecture.Armv6 => "arm",
        Architecture.S390x => "s390",
        Architecture.Ppc64le => "powerpc",
        Architecture.RiscV64 => "riscv",
        Architecture.LoongArch64 => "loongarch",
        _ => "x86",
    };

    /// <summary>
    /// The Debian/Ubuntu multiarch include folder (e.g. /usr/include/x86_64-linux-gnu), where asm/types.h
    /// lives. clang -target bpf does not search it, so &lt;linux/bpf.h&gt; would not compile without it.
    /// </summary>
    public static string? HostMultiarchIncludeDirectory()
    {
        var triple = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "x86_64-linux-gnu",
            Architecture.X86 => "i386-linux-gnu",
            Architecture.Arm64 => "aarch64-linux-gnu",
            Architecture.Arm => "arm-linux-gnueabihf",
            Architecture.S390x => "s390x-linux-gnu",
            Architecture.Ppc64le => "powerpc64le-linux-gnu",
            Architecture.RiscV64 => "riscv64-linux-gnu",
            Architecture.LoongArch64 => "loongarch64-linux-gnu",
            _ => null,
        };
        if (triple is null)
            return null;
        var dir = "/usr/include/" + triple;
        return Directory.Exists(dir) ? dir : null;
    }

    /// <summary>Splits a flags property ("-Wall -Werror" or "-Wall;-Werror") into arguments. No shell quoting.</summary>
    public static IReadOnlyList<string> SplitFlags(string? flags) =>
        string.IsNullOrWhiteSpace(flags)
            ? Array.Empty<string>()
            : flags.Split([' ', '\t', '\n', '\r', ';'], StringSplitOptions.RemoveEmptyEntries);
}
