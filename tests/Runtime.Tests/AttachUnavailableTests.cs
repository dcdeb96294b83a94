using Ebpf.Object;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>Hooks this kernel cannot offer: the errors must say why and what to use instead.</summary>
[Collection(KernelCollection.Name)]
public sealed class AttachUnavailableTests
{
    private const string Source = "attach_unavailable.bpf.c";

    [Fact]
    public void Kprobe_without_kernel_kprobes_explains_and_suggests_tracepoints()
    {
        Kernel.RequireRoot();
        Kernel.SkipAbsentFeature(Directory.Exists("/sys/bus/event_source/devices/kprobe"),
                                 "no-kprobes kernel (this kernel has kprobes, so the error path cannot be seen)");
        using var prog = TestProgramLoader.Load<KprobeProgram>(Source, "attach_kprobe");
        var e = Assert.Throws<BpfAttachException>(() => prog.Attach());
        Assert.Contains("this kernel has no kprobes (CONFIG_KPROBES is off", e.Message);
        Assert.Contains("tracepoint", e.Message);
        Assert.Contains("tp_btf", e.Message);
        Assert.DoesNotContain("ENOENT", e.Message);
    }

    [Fact]
    public void Fentry_refused_by_the_kernel_is_explained_as_locked_down_function_tracing()
    {
        Kernel.RequireRoot();
        var spec = ObjectSpec.Parse(TestObjects.Bytes(Source)).FindProgram("attach_fentry")!;
        int errno;
        try
        {
            // Where the kernel allows fentry, the attach itself must work; here it refuses the load.
            using var fd = TestProgramLoader.LoadFd(spec);
            using var prog = (TracingProgram)BpfProgram.Create(spec, fd);
            using var link = prog.Attach();
            Kernel.SkipAbsentFeature(true, "fentry lockdown (this kernel allows fentry; it attached)");
            return;
        }
        catch (TestProgramLoader.LoadException e)
        {
            errno = e.Errno;
        }
        catch (BpfAttachException e)
        {
            Assert.Contains("locked down", e.Message);
            return;
        }
        Assert.Equal(1, errno); // EPERM, as seen on this machine
        // The loader appends this explanation to its error (contract with the object loader).
        var hint = ProgramLoadHints.Explain(spec, errno);
        Assert.NotNull(hint);
        Assert.Contains("function tracing (fentry/fexit/fmod_ret, BPF trampolines) is locked down", hint);
        Assert.Contains("tp_btf", hint);
    }
}
