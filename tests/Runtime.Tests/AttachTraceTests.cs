using System.Runtime.InteropServices;
using Ebpf.Links;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

[Collection(KernelCollection.Name)]
public sealed partial class AttachTraceTests
{
    private const string Source = "attach_trace.bpf.c";

    [LibraryImport("libc")]
    private static partial int getppid();

    [Fact]
    public void Tracepoint_runs_on_its_event_and_stops_after_dispose()
    {
        Kernel.RequireRoot();
        TraceFs.EnsureMounted();
        using var stats = BpfStats.Enable();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<TracepointProgram>("attach_tracepoint");
        var link = prog.Attach();
        Assert.True(link.IsKernelLink);
        Assert.True(Bpftool.LinkExists(link.Id));
        for (var i = 0; i < 10; i++)
            getppid();
        Assert.True(prog.RunStatistics.RunCount >= 10, $"ran {prog.RunStatistics.RunCount} times for 10 getppid calls");
        link.Dispose();
        Assert.False(Bpftool.LinkExists(link.Id));
        var after = prog.RunStatistics.RunCount;
        for (var i = 0; i < 10; i++)
            getppid();
        Assert.Equal(after, prog.RunStatistics.RunCount);
    }

    [Fact]
    public void A_tracepoint_the_kernel_lacks_is_named_in_the_error()
    {
        Kernel.RequireRoot();
        TraceFs.EnsureMounted();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<TracepointProgram>("attach_tracepoint");
        var e = Assert.Throws<BpfAttachException>(() => prog.Attach("syscalls", "sys_enter_no_such_call"));
        Assert.Contains("no tracepoint syscalls:sys_enter_no_such_call", e.Message);
    }

    [Fact]
    public void Raw_tracepoint_runs()
    {
        Kernel.RequireRoot();
        using var stats = BpfStats.Enable();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<RawTracepointProgram>("attach_raw_tp");
        using (var link = prog.Attach())
        {
            Assert.True(Bpftool.LinkExists(link.Id));
            for (var i = 0; i < 10; i++)
                getppid();
            Assert.True(prog.RunStatistics.RunCount >= 10);
        }
        var after = prog.RunStatistics.RunCount;
        getppid();
        Assert.Equal(after, prog.RunStatistics.RunCount);
    }

    [Fact]
    public void Tp_btf_runs()
    {
        Kernel.RequireRoot();
        using var stats = BpfStats.Enable();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<TracingProgram>("attach_tp_btf");
        using var link = prog.Attach();
        Assert.True(link.IsKernelLink);
        Assert.Contains("tp 'sys_enter'", HostCommand.Check("bpftool", "link", "show", "id", link.Id.ToString()));
        for (var i = 0; i < 10; i++)
            getppid();
        Assert.True(prog.RunStatistics.RunCount >= 10);
    }

    [Fact]
    public void Uprobe_on_a_function_of_a_built_binary_runs_once_per_call()
    {
        Kernel.RequireRoot();
        using var stats = BpfStats.Enable();
        var binary = UprobeTarget.Build();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<KprobeProgram>("attach_uprobe");
        var link = prog.AttachUprobe(binary, "ebpf_uprobe_target");
        try
        {
            Assert.True(link.IsKernelLink);
            HostCommand.Check(binary, "7");
            Assert.Equal(7UL, prog.RunStatistics.RunCount);
        }
        finally
        {
            link.Dispose();
        }
        HostCommand.Check(binary, "3");
        Assert.Equal(7UL, prog.RunStatistics.RunCount);
    }

    [Fact]
    public void Uretprobe_runs_once_per_return_and_a_pid_filter_limits_it_to_that_process()
    {
        Kernel.RequireRoot();
        using var stats = BpfStats.Enable();
        var binary = UprobeTarget.Build();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<KprobeProgram>("attach_uretprobe");
        using (var link = prog.AttachUprobe(binary, "ebpf_uprobe_target"))
        {
            Assert.StartsWith("uretprobe", link.Description);
            HostCommand.Check(binary, "4");
            Assert.Equal(4UL, prog.RunStatistics.RunCount);
        }
        // A probe for one process does not fire for another run of the same binary.
        using var other = HostCommand.Start("sleep", ["30"]);
        try
        {
            using var link = prog.AttachUprobe(binary, "ebpf_uprobe_target", pid: other.Id);
            Assert.Contains($"pid {other.Id}", link.Description);
            HostCommand.Check(binary, "5");
            Assert.Equal(4UL, prog.RunStatistics.RunCount);
        }
        finally
        {
            other.Kill();
        }
    }

    [Fact]
    public void Uprobe_on_a_missing_symbol_names_it()
    {
        Kernel.RequireRoot();
        var binary = UprobeTarget.Build();
        using var obj = TestObjects.Load(Source);
        var prog = obj.GetProgram<KprobeProgram>("attach_uprobe");
        var e = Assert.Throws<BpfAttachException>(() => prog.AttachUprobe(binary, "no_such_function"));
        Assert.Contains("has no function named 'no_such_function'", e.Message);
    }
}
