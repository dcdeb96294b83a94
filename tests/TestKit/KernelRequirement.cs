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

    /// <summary>Skip for a feature this kernel truly lacks: allowed in CI too, since no kernel fix exists here.</summary>
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
