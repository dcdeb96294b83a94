using System.Diagnostics;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// Loading a whole object without privileges: the test exe runs itself under setpriv as nobody with every
/// capability dropped, selecting only <see cref="UnprivilegedLoadChild"/>, which reports the message it got.
/// </summary>
public sealed class LoaderPrivilegeTests
{
    private const string ReportVariable = "EBPF_TEST_UNPRIVILEGED_LOAD_REPORT";

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Unprivileged_load_names_the_capability_and_the_uid()
    {
        Kernel.RequireRoot();
        var objectPath = TestObjects.Compile("rt_loader.bpf.c"); // compiled here: the child cannot write the cache
        var message = await UnprivilegedRun.RunAsync(
            $"{typeof(LoaderPrivilegeTests).FullName}.{nameof(UnprivilegedLoadChild)}", ReportVariable, "|" + objectPath);
        // The first privileged step of a load is BPF_BTF_LOAD of the object's BTF.
        Assert.Contains("BPF_BTF_LOAD", message);
        Assert.Contains("'rt_loader'", message);
        Assert.Contains("EPERM", message);
        Assert.Contains("CAP_BPF", message);
        Assert.Contains("uid 65534", message);
    }

    /// <summary>Runs only inside the child started above (explicit: never in a normal run).</summary>
    [Fact(Explicit = true)]
    public void UnprivilegedLoadChild()
    {
        var setting = Environment.GetEnvironmentVariable(ReportVariable);
        Assert.NotNull(setting);
        var parts = setting.Split('|');
        using var obj = BpfObject.OpenFile(parts[1]);
        var e = Assert.Throws<BpfException>(obj.Load);
        Assert.Equal(1, e.Errno);
        File.WriteAllText(parts[0], e.Message);
    }
}
