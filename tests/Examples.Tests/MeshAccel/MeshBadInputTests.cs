using Ebpf.Examples.Linux;
using Ebpf.Examples.MeshAccel.Agent;
using Ebpf.Links;
using Ebpf.Object;
using Ebpf.TestKit;
using Xunit;

namespace Ebpf.Examples.Tests.MeshAccel;

/// <summary>What a user gets wrong gives one clear line and changes nothing in the kernel.</summary>
[Collection(MeshAccelCollection.Name)]
public sealed class MeshBadInputTests
{
    [Fact]
    public void ABadPodsFileIsRefusedBeforeAnythingIsAttached()
    {
        Kernel.RequireRoot();
        var file = Path.GetTempFileName();
        var pins = $"/sys/fs/bpf/{RunPrefix.NewName("bad")}";
        try
        {
            File.WriteAllText(file, """{"pods": [{"name": "web", "ips": ["10.0.0.300"], "sidecar": true}]}""");
            var run = Run("run", "--pods-from", $"file:{file}", "--pin-dir", pins);
            Assert.Contains($"mesh-accel: pods file {file}: pod 'web': '10.0.0.300' is not an IP address", run.Transcript);
            File.WriteAllText(file, """{"pods": [{"name": "web", "ips": ["10.0.0.3"], "annotations": {"traffic.sidecar.istio.io/excludeOutboundPorts": "99999"}}]}""");
            Assert.Contains("is not a port (1-65535)", Run("run", "--pods-from", $"file:{file}", "--pin-dir", pins).Transcript);
            File.WriteAllText(file, """{"pods": [""");
            Assert.Contains($"pods file {file} is not valid", Run("run", "--pods-from", $"file:{file}", "--pin-dir", pins).Transcript);
            Assert.False(Directory.Exists(pins), "a refused run pinned something");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void AnUnknownCgroupIsNamedInTheError()
    {
        Kernel.RequireRoot();
        var file = Path.GetTempFileName();
        File.WriteAllText(file, """{"pods": []}""");
        try
        {
            var run = Run("run", "--cgroup", "/sys/fs/cgroup/no-such-cgroup-here", "--pods-from", $"file:{file}", "--pin-dir", $"/sys/fs/bpf/{RunPrefix.NewName("bad")}");
            Assert.Contains("cgroup /sys/fs/cgroup/no-such-cgroup-here does not exist", run.Transcript);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void NotRootIsAClearError()
    {
        Kernel.RequireRoot();
        // As nobody (setpriv), as a user without sudo would start it.
        var run = HostCommand.Run("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups",
                                  "dotnet", Path.Combine(AppContext.BaseDirectory, "mesh-accel.dll"), "run", "--pods-from", "file:/dev/null");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("`mesh-accel run` must run as root", run.StandardError);
    }

    [Fact]
    public void AKernelWithoutGetsockoptHooksIsRefusedWithTheReasonAndNothingAttached()
    {
        Kernel.RequireRoot();
        var pins = new PinLayout($"/sys/fs/bpf/{RunPrefix.NewName("bad")}");
        using var cgroup = new TempCgroup("mbad");
        var e = Assert.Throws<ToolException>(() => MeshDataPlane.Install(cgroup.Path, pins, splice: true, new KernelWithout(AttachType.CgroupGetsockopt)));
        Assert.Contains("cgroup/getsockopt (Linux 5.3), which answers SO_ORIGINAL_DST", e.Message);
        Assert.Contains("Nothing was attached", e.Message);
        Assert.Contains("istio-iptables", e.Message);
        Assert.False(Directory.Exists(pins.Dir));
        Assert.Empty(AttachedPrograms.OnCgroup(cgroup.Path, CgroupHook.Inet4Connect));
    }

    /// <summary>This kernel, less one hook: the feature-probe seam of <see cref="KernelRequirements"/>.</summary>
    private sealed class KernelWithout(AttachType missing) : IKernelCheck
    {
        public string? Missing(ProgramType type, AttachType attach) =>
            attach == missing ? "the program type is unknown to this kernel (EINVAL from BPF_PROG_LOAD)" : new RunningKernel().Missing(type, attach);
    }

    private static AppRun Run(params string[] args)
    {
        var run = new AppRun("mesh-accel.dll", args);
        Assert.True(run.WaitForExit(TimeSpan.FromSeconds(60)), run.Transcript);
        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}: {run.Transcript}");
        return run;
    }
}
