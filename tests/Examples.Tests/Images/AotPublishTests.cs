using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Images;

/// <summary>
/// Ebpf.Runtime compiled ahead of time: tests/AotApp (a &lt;BpfSource&gt; and its skeleton) is published with NativeAOT,
/// and the native binary, run as root, loads its object, attaches a tracepoint program, makes 2,000 getppid() calls from
/// three threads and reads the kernel's counts back through global data, a hash map and a ring buffer; every count must
/// be exact. Publishing takes minutes: one test, into artifacts/aot-app, which later runs reuse (ILC is incremental).
/// </summary>
public sealed class AotPublishTests
{
    [Fact]
    public void A_NativeAot_app_loads_attaches_and_counts_exactly()
    {
        Kernel.RequireRoot();
        TraceFs.EnsureMounted();
        var output = Path.Combine(RepoPaths.Root, "artifacts", "aot-app");
        var project = Path.Combine(RepoPaths.Root, "tests", "AotApp", "Ebpf.AotApp.csproj");
        HostCommand.Run("dotnet", ["publish", project, "-c", "Release", "-r", "linux-x64", "-o", output, "-nologo"],
                        TimeSpan.FromMinutes(20), RepoPaths.Root).EnsureSuccess();

        // What came out is a native executable, with no managed assembly to fall back on.
        var binary = Path.Combine(output, "Ebpf.AotApp");
        Assert.Equal("\u007fELF"u8.ToArray(), File.ReadAllBytes(binary)[..4]);
        Assert.Empty(Directory.GetFiles(output, "*.dll"));

        var run = HostCommand.Run(binary, [], TimeSpan.FromSeconds(60));
        Assert.True(run.Succeeded, $"{run.StandardOutput}\n{run.StandardError}");
        Assert.Equal(["calls: 2000", "by thread: 1000 500 500 (3 threads)", "events: 2000 distinct, last 1999"],
                     run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
