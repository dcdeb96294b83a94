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
        var report = Path.Combine(Path.GetTempPath(), RunPrefix.NewName("unpriv-load") + ".txt");
        File.WriteAllText(report, "");
        File.SetUnixFileMode(report, (UnixFileMode)0x1b6); // rw for everyone: the child runs as nobody
        var objectPath = TestObjects.Compile("rt_loader.bpf.c"); // compiled here: the child cannot write the cache
        try
        {
            var psi = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[]
                     {
                         "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--",
                         Environment.ProcessPath!, "-method", $"{typeof(LoaderPrivilegeTests).FullName}.{nameof(UnprivilegedLoadChild)}",
                         "-explicit", "only",
                     })
                psi.ArgumentList.Add(a);
            psi.Environment[ReportVariable] = report + "|" + objectPath;
            psi.Environment["HOME"] = Path.GetTempPath();
            psi.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
            using var child = Process.Start(psi)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            var stdout = child.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = child.StandardError.ReadToEndAsync(timeout.Token);
            await child.WaitForExitAsync(timeout.Token);
            var message = await File.ReadAllTextAsync(report, TestContext.Current.CancellationToken);
            Assert.True(child.ExitCode == 0 && message.Length > 0,
                $"child exit {child.ExitCode}, report '{message}'\n{await stdout}\n{await stderr}");
            // The first privileged step of a load is BPF_BTF_LOAD of the object's BTF.
            Assert.Contains("BPF_BTF_LOAD", message);
            Assert.Contains("'rt_loader'", message);
            Assert.Contains("EPERM", message);
            Assert.Contains("CAP_BPF", message);
            Assert.Contains("uid 65534", message);
        }
        finally
        {
            File.Delete(report);
        }
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
