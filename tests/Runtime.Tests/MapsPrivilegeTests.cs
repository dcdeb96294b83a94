using System.Diagnostics;
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
        var report = Path.Combine(Path.GetTempPath(), RunPrefix.NewName("unpriv") + ".txt");
        File.WriteAllText(report, "");
        File.SetUnixFileMode(report, (UnixFileMode)0x1b6); // rw for everyone: the child runs as nobody
        try
        {
            var psi = new ProcessStartInfo("setpriv")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[]
                     {
                         "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--",
                         Environment.ProcessPath!, "-method", $"{typeof(MapsPrivilegeTests).FullName}.{nameof(UnprivilegedChild)}",
                         "-explicit", "only",
                     })
                psi.ArgumentList.Add(a);
            psi.Environment[ReportVariable] = report;
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
            Assert.Contains("BPF_MAP_CREATE", message);
            Assert.Contains("EPERM", message);
            Assert.Contains("CAP_BPF", message);
            Assert.Contains("uid 65534", message);
            if (File.ReadAllText("/proc/sys/kernel/unprivileged_bpf_disabled").Trim() != "0")
                Assert.Contains("unprivileged_bpf_disabled", message);
        }
        finally
        {
            File.Delete(report);
        }
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
