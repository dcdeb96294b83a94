using Ebpf.Examples.Linux;
using Ebpf.Examples.Tcptop.Kernel;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// Stopping and bad input: SIGTERM and SIGKILL leave no program or link attached; a port in use, an unknown cgroup,
/// not being root and a kernel without sock_send_length each give one clear line naming cause and fix.
/// </summary>
[Collection(TcptopCollection.Name)]
public sealed class TcptopLifecycleTests
{
    public static TheoryData<int> Signals => [Posix.SigTerm, Posix.SigKill];

    [Theory]
    [MemberData(nameof(Signals))]
    public void ASignalLeavesNothingAttached(int signal)
    {
        Kernel.RequireRoot();
        using var export = new ExportRun();
        var objects = TcptopKernelObjects.WaitAttached(export.App.Id, TimeSpan.FromSeconds(30));
        export.App.Signal(signal);
        Assert.True(export.App.WaitForExit(TimeSpan.FromSeconds(30)), "tcptop did not stop");
        if (signal == Posix.SigTerm)
        {
            Assert.Equal(0, export.App.ExitCode);
            Assert.NotNull(export.App.LineWith("stopping"));
        }
        var left = objects.WaitGone(TimeSpan.FromSeconds(10));
        Assert.True(left.Count == 0, $"after signal {signal} still in the kernel: {string.Join(", ", left)}");
    }

    [Fact]
    public void APortInUseIsAClearError()
    {
        Kernel.RequireRoot();
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var (code, output) = RunToEnd("export", "--listen", $"127.0.0.1:{port}");
        Assert.Equal(1, code);
        Assert.Contains($"cannot listen on port {port}", output);
        Assert.Contains("--listen", output);
        Assert.DoesNotContain("   at ", output); // no stack trace
    }

    [Fact]
    public void AnUnknownCgroupIsAClearError()
    {
        Kernel.RequireRoot();
        var (code, output) = RunToEnd("top", "--once", "--cgroup", "no-such-cgroup-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.Equal(1, code);
        Assert.Contains("unknown cgroup 'no-such-cgroup-", output);
        Assert.Contains("is not a cgroup v2 directory", output);
    }

    [Fact]
    public void NotRootIsAClearError()
    {
        Kernel.RequireRoot();
        // nobody, with a HOME the dotnet host can write to
        var r = HostCommand.Run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", "HOME=/tmp", "DOTNET_CLI_HOME=/tmp",
                                "dotnet", Path.Combine(AppContext.BaseDirectory, "tcptop.dll"), "top", "--once");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("must run as root", r.StandardOutput + r.StandardError);
    }

    [Fact]
    public void AKernelWithoutSockSendLengthIsAClearErrorNamingTheMinimumKernel()
    {
        Kernel.RequireRoot();
        var btf = WithoutSockSendLength();
        try
        {
            // Through the app's option and through BpfObjectOptions.KernelBtfPath (TracerOptions.KernelBtfPath).
            var (code, output) = RunToEnd("top", "--once", "--kernel-btf", btf);
            Assert.Equal(1, code);
            Assert.Contains("sock_send_length", output);
            Assert.Contains("Linux 6.3", output);
            Assert.Contains("no sock_send_length tracepoint", output);
            Assert.DoesNotContain("no sock_recv_length", output); // only what is missing is named missing
            var e = Assert.Throws<ToolException>(() => new TcpTracer(new TracerOptions { KernelBtfPath = btf }));
            Assert.Contains("no sock_send_length tracepoint (Linux 6.3+)", e.Message);
        }
        finally
        {
            File.Delete(btf);
        }
    }

    /// <summary>
    /// This kernel's BTF with the name btf_trace_sock_send_length changed in its string section (same length, so the
    /// BTF stays valid): a kernel that has everything but that tracepoint, as Linux before 6.3 is to tcptop.
    /// </summary>
    private static string WithoutSockSendLength()
    {
        var bytes = File.ReadAllBytes("/sys/kernel/btf/vmlinux");
        var name = "btf_trace_sock_send_length"u8;
        var at = bytes.AsSpan().IndexOf(name);
        Assert.True(at >= 0, "this kernel's BTF has no btf_trace_sock_send_length");
        bytes[at + name.Length - 1] = (byte)'X';
        var path = Path.Combine(Path.GetTempPath(), $"tcptop-btf-{Guid.NewGuid():N}");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static (int Code, string Output) RunToEnd(params string[] args)
    {
        using var app = new AppRun("tcptop.dll", args);
        Assert.True(app.WaitForExit(TimeSpan.FromSeconds(60)), $"tcptop {string.Join(' ', args)} did not end:\n{app.Transcript}");
        return (app.ExitCode, app.Transcript);
    }
}
