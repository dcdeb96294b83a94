using System.Diagnostics;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// Runs one explicit test method of this test exe again under setpriv, as nobody with every capability
/// dropped, and returns the message that child wrote to a report file named by an environment variable.
/// </summary>
internal static class UnprivilegedRun
{
    /// <param name="testMethod">Full name of the explicit test method the child runs.</param>
    /// <param name="reportVariable">The variable that tells the child where to write; its value is the report path followed by <paramref name="suffix"/>.</param>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static async Task<string> RunAsync(string testMethod, string reportVariable, string suffix = "")
    {
        var report = Path.Combine(Path.GetTempPath(), RunPrefix.NewName("unpriv") + ".txt");
        File.WriteAllText(report, "");
        File.SetUnixFileMode(report, (UnixFileMode)0x1b6); // rw for everyone: the child runs as nobody
        try
        {
            var psi = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[]
                     {
                         "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--",
                         Environment.ProcessPath!, "-method", testMethod, "-explicit", "only",
                     })
                psi.ArgumentList.Add(a);
            psi.Environment[reportVariable] = report + suffix;
            psi.Environment["HOME"] = Path.GetTempPath();
            psi.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
            using var child = Process.Start(psi)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            var stdout = child.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = child.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await child.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Timed out or the run was cancelled: the child must not outlive the test.
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync(CancellationToken.None);
                throw new TimeoutException($"the unprivileged child running {testMethod} did not finish within 60 s and was killed");
            }
            var message = await File.ReadAllTextAsync(report, TestContext.Current.CancellationToken);
            Assert.True(child.ExitCode == 0 && message.Length > 0,
                $"child exit {child.ExitCode}, report '{message}'\n{await stdout}\n{await stderr}");
            return message;
        }
        finally
        {
            File.Delete(report);
        }
    }
}
