using Xunit;

namespace Ebpf.TestKit;

/// <summary>
/// Gate for tests that need the real kernel. Outside CI a missing capability skips the test with the
/// reason; with CI=true it fails instead, so a green CI run means the programs really loaded and ran.
/// </summary>
public static class Kernel
{
    public static bool IsCI =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips (or, in CI, fails) unless running as root on Linux with the bpf syscall usable.</summary>
    public static void RequireRoot()
    {
        if (!OperatingSystem.IsLinux())
            Unusable("the test needs Linux");
        if (Environment.UserName != "root" && geteuid() != 0)
            Unusable("the test needs root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN); run the suite as root");
    }

    /// <summary>Skips (or fails in CI) when a kernel feature is absent; <paramref name="what"/> names it.</summary>
    public static void Require(bool condition, string what)
    {
        if (!condition)
            Unusable(what);
    }

    /// <summary>
    /// Skips (or fails in CI) unless <paramref name="tool"/> is an executable on PATH; <paramref name="package"/> names
    /// the Debian package that provides it (scripts/install-deps.sh installs them all).
    /// </summary>
    public static void RequireTool(string tool, string package)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));
        if (!found)
            Unusable($"the test needs {tool} on PATH (Debian package {package}; scripts/install-deps.sh installs it)");
    }

    /// <summary>
    /// Skip for a feature this kernel truly lacks. Under CI=true, scripts/test.sh still fails the run unless the test
    /// is on tests/skips-allowed.txt, with the reason.
    /// </summary>
    public static void SkipAbsentFeature(bool absent, string feature)
    {
        if (absent)
            Assert.Skip($"kernel feature absent: {feature}");
    }

    private static void Unusable(string reason)
    {
        if (IsCI)
            Assert.Fail($"kernel test cannot run (CI=true forbids skipping): {reason}");
        Assert.Skip(reason);
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = false)]
    private static extern uint geteuid();
}
