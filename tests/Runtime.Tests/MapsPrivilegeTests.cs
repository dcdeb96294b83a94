using System.Diagnostics;
using Ebpf.Maps;
using Ebpf.Object;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// What an unprivileged process is told. The test exe runs itself under setpriv as nobody with every
/// capability dropped, with only <see cref="UnprivilegedChild"/> selected; the child writes the message it got.
/// </summary>
public sealed class MapsPrivilegeTests
{
    private const string ReportVariable = "EBPF_TEST_UNPRIVILEGED_REPORT";

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task UnprivilegedProcessIsToldWhichCapabilityIsMissing()
    {
        Kernel.RequireRoot();
        var message = await UnprivilegedRun.RunAsync(
            $"{typeof(MapsPrivilegeTests).FullName}.{nameof(UnprivilegedChild)}", ReportVariable);
        Assert.Contains("BPF_MAP_CREATE", message);
        Assert.Contains("EPERM", message);
        Assert.Contains("CAP_BPF", message);
        Assert.Contains("uid 65534", message);
        if (File.ReadAllText("/proc/sys/kernel/unprivileged_bpf_disabled").Trim() != "0")
            Assert.Contains("unprivileged_bpf_disabled", message);
    }

    /// <summary>Runs only inside the child started above (explicit: never in a normal run).</summary>
    [Fact(Explicit = true)]
    public void UnprivilegedChild()
    {
        var report = Environment.GetEnvironmentVariable(ReportVariable);
        Assert.NotNull(report);
        var e = Assert.Throws<BpfException>(() => BpfMap.Create(new MapSpec("t_unpriv", MapType.Hash, 4, 4, 4)));
        Assert.Equal(1, e.Errno);
        File.WriteAllText(report, e.Message);
    }
}
