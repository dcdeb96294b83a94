using Ebpf.Testing;
using Xunit;

namespace Ebpf.TestKit;

/// <summary>
/// The repository's gate for tests that need the real kernel, on the package's (<see cref="BpfRequire"/>): a missing
/// capability skips the test with the reason, or fails it with EBPF_TESTS_REQUIRED=1, which scripts/test.sh sets
/// under CI=true, so a green CI run means the programs really loaded and ran.
/// </summary>
public static class Kernel
{
    /// <summary>True under CI=true (used to refuse developer-only switches such as updating golden files).</summary>
    public static bool IsCI =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips (or, when required, fails) unless running as root on Linux.</summary>
    public static void RequireRoot() => BpfRequire.Root();

    /// <summary>Skips (or fails when required) when a kernel feature is absent; <paramref name="what"/> names it.</summary>
    public static void Require(bool condition, string what) => BpfRequire.That(condition, what);

    /// <summary>
    /// Skips (or fails when required) unless <paramref name="tool"/> is an executable on PATH; <paramref name="package"/> names
    /// the Debian package that provides it (scripts/install-deps.sh installs them all).
    /// </summary>
    public static void RequireTool(string tool, string package) => BpfRequire.Tool(tool, $"Debian {package}; scripts/install-deps.sh installs it");

    /// <summary>
    /// Skip for a feature this kernel truly lacks, even when required: under CI=true, scripts/test.sh still fails the run
    /// unless the test is on tests/skips-allowed.txt, with the reason.
    /// </summary>
    public static void SkipAbsentFeature(bool absent, string feature)
    {
        if (absent)
            Assert.Skip($"kernel feature absent: {feature}");
    }
}
