using Ebpf.Object;
using Ebpf.Testing.Internal;
using Xunit;

namespace Ebpf.Testing;

/// <summary>
/// Gates for tests that need the real kernel. A test whose requirement is not met is skipped with the reason (so a
/// developer without root, or on an older kernel, sees why); with <c>EBPF_TESTS_REQUIRED=1</c> it fails instead, so a
/// green run there means the programs really loaded and ran. <c>CI=true</c> alone does not turn skips into failures:
/// hosted CI sets it and usually runs without root.
/// </summary>
public static class BpfRequire
{
    /// <summary>The variable that turns unmet requirements into failures: set it to 1 (or true) where the kernel tests must run.</summary>
    public const string StrictVariable = "EBPF_TESTS_REQUIRED";

    /// <summary>True when <see cref="StrictVariable"/> is set to 1 or true: unmet requirements fail instead of skipping.</summary>
    public static bool IsStrict => Environment.GetEnvironmentVariable(StrictVariable)?.Trim().ToLowerInvariant() is "1" or "true" or "yes";

    /// <summary>Skips (or, when strict, fails) unless running as root on Linux.</summary>
    public static void Root() => Unmet(RootProblem());

    /// <summary>Skips (or fails when strict) when <paramref name="condition"/> is false; <paramref name="what"/> says what is missing.</summary>
    public static void That(bool condition, string what)
    {
        if (!condition)
            Unmet(what);
    }

    /// <summary>Skips (or fails when strict) unless the kernel loads programs of <paramref name="type"/> (probed once per process).</summary>
    public static void ProgramType(ProgramType type) => Unmet(ProgramTypeProblem(type));

    /// <summary>Skips (or fails when strict) unless the kernel creates maps of <paramref name="type"/> (probed once per process).</summary>
    public static void MapType(MapType type) => Unmet(MapTypeProblem(type));

    /// <summary>Skips (or fails when strict) unless the running kernel is at least <paramref name="major"/>.<paramref name="minor"/>.</summary>
    public static void KernelVersion(int major, int minor) => Unmet(KernelVersionProblem(new Version(major, minor)));

    /// <summary>Skips (or fails when strict) unless the kernel exposes its BTF (/sys/kernel/btf/vmlinux, for CO-RE and tp_btf).</summary>
    public static void Btf() => Unmet(BtfProblem());

    /// <summary>
    /// Skips (or fails when strict) unless <paramref name="tool"/> is an executable on PATH; <paramref name="package"/>
    /// names the package that provides it, for the message.
    /// </summary>
    public static void Tool(string tool, string package) => Unmet(ToolProblem(tool, package));

    internal static string? RootProblem()
    {
        if (!OperatingSystem.IsLinux())
            return "the test needs Linux";
        if (TestingLibc.GetEuid() != 0)
            return "the test needs root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN); run the tests as root";
        return null;
    }

    internal static string? ProgramTypeProblem(ProgramType type)
    {
        var support = KernelFeatures.Supports(type);
        return support.IsSupported ? null : $"the kernel cannot load {type} programs ({support.Reason})";
    }

    internal static string? MapTypeProblem(MapType type)
    {
        var support = KernelFeatures.Supports(type);
        return support.IsSupported ? null : $"the kernel cannot create {type} maps ({support.Reason})";
    }

    internal static string? KernelVersionProblem(Version minimum)
    {
        var running = RunningKernel;
        return running >= minimum ? null : $"the test needs Linux {minimum.Major}.{minimum.Minor} or later (running {running.Major}.{running.Minor})";
    }

    internal static string? BtfProblem() =>
        File.Exists("/sys/kernel/btf/vmlinux") ? null : "the kernel exposes no BTF (/sys/kernel/btf/vmlinux; build it with CONFIG_DEBUG_INFO_BTF=y)";

    internal static string? ToolProblem(string tool, string package)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));
        return found ? null : $"the test needs {tool} on PATH (package {package})";
    }

    /// <summary>The running kernel's version (major.minor.patch) as uname reports it.</summary>
    internal static Version RunningKernel => Environment.OSVersion.Version;

    /// <summary>Skips, or fails when strict, with <paramref name="problem"/>; does nothing when it is null.</summary>
    internal static void Unmet(string? problem)
    {
        if (problem is null)
            return;
        if (IsStrict)
            Assert.Fail($"kernel test cannot run ({StrictVariable}=1 forbids skipping): {problem}");
        Assert.Skip(problem);
    }
}
