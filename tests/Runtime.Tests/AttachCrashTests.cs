using System.Diagnostics;
using System.Reflection;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// A process that attached programs and then dies without any cleanup (SIGKILL) must leave nothing
/// attached: that is what bpf_link buys over netlink/PROG_ATTACH attachment.
/// </summary>
[Collection(KernelCollection.Name)]
public sealed class AttachCrashTests
{
    private static string ChildDll()
    {
        var config = typeof(AttachCrashTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(RepoPaths.Root, "tests", "AttachChild", "bin", config, "net10.0", "Ebpf.AttachChild.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build tests/Runtime.Tests (it builds tests/AttachChild)");
        return dll;
    }

    [Fact]
    public async Task A_killed_process_leaves_no_xdp_or_cgroup_program_attached()
    {
        Kernel.RequireRoot();
        using var hosts = new TwoHosts();
        using var cgroup = new TempCgroup();
        TestObjects.Compile("attach_net.bpf.c"); // warm the cache so the child does not compile

        using var child = HostCommand.Start("dotnet", [ChildDll(), hosts.B.NsPath, hosts.IfB, cgroup.Path]);
        try
        {
            var ct = TestContext.Current.CancellationToken;
            var stderr = child.StandardError.ReadToEndAsync(ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            var ready = await child.StandardOutput.ReadLineAsync(timeout.Token);
            if (ready?.StartsWith("READY ") != true)
            {
                child.Kill();
                Assert.Fail($"child said '{ready}', stderr: {await stderr}");
            }
            var ids = ready.Split(' ').Skip(1).Select(uint.Parse).ToArray();
            var (xdpProg, xdpLink, sockopsProg, cgroupLink) = (ids[0], ids[1], ids[2], ids[3]);

            // While it lives, both are attached.
            Assert.Contains($"prog/xdp id {xdpProg}", hosts.ShowB());
            Assert.Contains("attach_sockops", Bpftool.CgroupShow(cgroup.Path));
            Assert.True(Bpftool.LinkExists(xdpLink) && Bpftool.LinkExists(cgroupLink));

            child.Kill(); // SIGKILL: no finalizers, no Dispose
            await child.WaitForExitAsync(ct);
            Assert.Equal(137, child.ExitCode);

            // The kernel releases the links as the dead process's descriptors close; allow it a moment.
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (DateTime.UtcNow < deadline && (Bpftool.LinkExists(xdpLink) || Bpftool.LinkExists(cgroupLink)))
                await Task.Delay(50, ct);
            Assert.False(Bpftool.LinkExists(xdpLink), $"XDP link {xdpLink} survived the process");
            Assert.False(Bpftool.LinkExists(cgroupLink), $"cgroup link {cgroupLink} survived the process");
            Assert.DoesNotContain("xdp", hosts.ShowB());
            Assert.DoesNotContain("attach_sockops", Bpftool.CgroupShow(cgroup.Path));
            Assert.False(HostCommand.Run("bpftool", "prog", "show", "id", xdpProg.ToString()).Succeeded, "the XDP program is still loaded");
            Assert.False(HostCommand.Run("bpftool", "prog", "show", "id", sockopsProg.ToString()).Succeeded, "the sockops program is still loaded");
        }
        finally
        {
            if (!child.HasExited)
                child.Kill();
        }
    }
}
