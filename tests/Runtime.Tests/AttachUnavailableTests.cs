using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>Hooks this kernel cannot offer: the errors must say why and what to use instead (through BpfObject, as a user sees them).</summary>
[Collection(KernelCollection.Name)]
public sealed class AttachUnavailableTests
{
    [Fact]
    public void Kprobe_without_kernel_kprobes_explains_and_suggests_tracepoints()
    {
        Kernel.RequireRoot();
        Kernel.SkipAbsentFeature(Directory.Exists("/sys/bus/event_source/devices/kprobe"),
                                 "no-kprobes kernel (this kernel has kprobes, so the error path cannot be seen)");
        using var obj = BpfObject.OpenFile(TestObjects.Compile("attach_kprobe.bpf.c"));
        obj.Load(); // the KPROBE program type exists (uprobes use it); only attaching needs kprobes
        var prog = obj.GetProgram<KprobeProgram>("attach_kprobe");
        var e = Assert.Throws<BpfAttachException>(() => prog.Attach());
        Assert.Contains("this kernel has no kprobes (CONFIG_KPROBES is off", e.Message);
        Assert.Contains("tracepoint", e.Message);
        Assert.Contains("tp_btf", e.Message);
        Assert.DoesNotContain("ENOENT", e.Message);
        Assert.Empty(prog.Links);
    }

    [Fact]
    public void Fentry_refused_by_the_kernel_is_explained_as_locked_down_function_tracing()
    {
        Kernel.RequireRoot();
        using var obj = BpfObject.OpenFile(TestObjects.Compile("attach_fentry.bpf.c"));
        BpfException e;
        try
        {
            obj.Load();
            // Where the kernel allows fentry, attaching must work or explain itself.
            using var link = obj.GetProgram<TracingProgram>("attach_fentry").Attach();
            Kernel.SkipAbsentFeature(true, "fentry lockdown (this kernel allows fentry; it attached)");
            return;
        }
        catch (BpfException caught)
        {
            e = caught;
        }
        Assert.Equal(1, e.Errno); // EPERM, as seen on this machine
        Assert.Contains("function tracing (fentry/fexit/fmod_ret, BPF trampolines) is locked down", e.Message);
        Assert.Contains("tp_btf", e.Message);
        Assert.Contains("attach_fentry", e.Message);
    }
}
