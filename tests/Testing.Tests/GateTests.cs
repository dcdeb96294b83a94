using Ebpf.Object;

namespace Ebpf.Testing.Tests;

/// <summary>
/// [BpfFact] end to end: this test project's own executable runs a canary test that needs a kernel that does not exist
/// yet, with and without EBPF_TESTS_REQUIRED, and xunit reports it skipped (with the reason) or failed.
/// </summary>
public sealed class GateTests
{
    private const string Canary = "Ebpf.Testing.Tests.GateCanary.NeedsAFutureKernel";

    [Fact]
    public void An_unmet_requirement_skips_with_its_reason_even_under_CI_true()
    {
        var run = RunCanary(new() { ["EBPF_TESTS_REQUIRED"] = null, ["CI"] = "true" });
        Assert.True(run.Succeeded, run.StandardOutput + run.StandardError);
        Assert.Contains("[SKIP]", run.StandardOutput);
        Assert.Contains("the test needs Linux 99.0 or later", run.StandardOutput);
    }

    [Fact]
    public void An_unmet_requirement_fails_with_its_reason_when_EBPF_TESTS_REQUIRED_is_1()
    {
        var run = RunCanary(new() { ["EBPF_TESTS_REQUIRED"] = "1" });
        Assert.False(run.Succeeded, run.StandardOutput);
        Assert.Contains("[FAIL]", run.StandardOutput);
        Assert.Contains("EBPF_TESTS_REQUIRED=1 forbids skipping", run.StandardOutput);
        Assert.Contains("the test needs Linux 99.0 or later", run.StandardOutput);
    }

    [BpfFact(ProgramTypes = [ProgramType.Xdp, ProgramType.CgroupSkb], MapTypes = [MapType.Hash], RequiresBtf = true, MinimumKernel = "5.10")]
    public void Met_requirements_let_the_test_run()
    {
        // Only reached when every requirement above held: the probes agree.
        Assert.True(KernelFeatures.Supports(ProgramType.Xdp).IsSupported);
        Assert.True(File.Exists("/sys/kernel/btf/vmlinux"));
    }

    [BpfTheory(ProgramTypes = [ProgramType.Xdp])]
    [InlineData(1)]
    [InlineData(2)]
    public void Theories_run_each_row_when_requirements_hold(int row) => Assert.InRange(row, 1, 2);

    private static CommandResult RunCanary(Dictionary<string, string?> environment)
    {
        var exe = Path.Combine(AppContext.BaseDirectory, "Ebpf.Testing.Tests");
        return HostCommand.Run(exe, ["-method", Canary, "-explicit", "only", "-noColor", "-noLogo"], TimeSpan.FromMinutes(2),
                               environment: environment);
    }
}

/// <summary>Run only by <see cref="GateTests"/> (explicit): needs a kernel no machine has.</summary>
public sealed class GateCanary
{
    [BpfFact(MinimumKernel = "99.0", Explicit = true)]
    public void NeedsAFutureKernel() { }
}
