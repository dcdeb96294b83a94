using Ebpf.Links;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>Hooks this kernel cannot offer: the errors must say why and what to use instead (through BpfObject, as a user sees them).</summary>
[Collection(KernelCollection.Name)]
public sealed class AttachUnavailableTests
{
    private const int Sleeps = 10;

    /// <summary>Points the program's thread filter at this thread, sleeps <see cref="Sleeps"/> times and returns its count.</summary>
    internal static ulong CountOwnSleeps(BpfObject obj, string counter)
    {
        var bss = obj.GetGlobalData(".bss");
        bss.Write(Offset(obj, "target_tid"), Nanosleep.ThreadId);
        Nanosleep.Call(Sleeps);
        return bss.Read<ulong>(Offset(obj, counter));
    }

    private static int Offset(BpfObject obj, string variable) =>
        (int)obj.Spec.DataSections.Single(d => d.Name == ".bss").Variables.Single(v => v.Name == variable).Offset;

    [Fact]
    public void Kprobe_counts_every_call_or_without_kernel_kprobes_explains_and_suggests_tracepoints()
    {
        Kernel.RequireRoot();
        using var obj = BpfObject.OpenFile(TestObjects.Compile("attach_kprobe.bpf.c"));
        obj.Load(); // the KPROBE program type exists (uprobes use it); only attaching needs kprobes
        var prog = obj.GetProgram<KprobeProgram>("attach_kprobe");
        if (Nanosleep.KernelHasKprobes)
        {
            // Unverified on the project's test kernel (no kprobes): the path a kernel with kprobes takes.
            using (prog.Attach())
                Assert.Equal((ulong)Sleeps, CountOwnSleeps(obj, "calls"));
            Assert.Empty(prog.Links);
            return;
        }
        var e = Assert.Throws<BpfAttachException>(() => prog.Attach());
        Assert.Contains("this kernel has no kprobes (CONFIG_KPROBES is off", e.Message);
        Assert.Contains("tracepoint", e.Message);
        Assert.Contains("tp_btf", e.Message);
        Assert.DoesNotContain("ENOENT", e.Message);
        Assert.Empty(prog.Links);
    }

    [Fact]
    public void Fentry_counts_every_call_or_refused_by_the_kernel_is_explained_as_locked_down_function_tracing()
    {
        Kernel.RequireRoot();
        using var obj = BpfObject.OpenFile(TestObjects.Compile("attach_fentry.bpf.c"));
        BpfException e;
        try
        {
            obj.Load();
        }
        catch (BpfException caught)
        {
            e = caught;
            Assert.Equal(1, e.Errno); // EPERM, as seen on this machine
            Assert.Contains("function tracing (fentry/fexit/fmod_ret, BPF trampolines) is locked down", e.Message);
            Assert.Contains("tp_btf", e.Message);
            Assert.Contains("attach_fentry", e.Message);
            return;
        }
        // Unverified on the project's test kernel (it refuses fentry): where the kernel allows it, it must count exactly.
        var prog = obj.GetProgram<TracingProgram>("attach_fentry");
        using (prog.Attach())
            Assert.Equal((ulong)Sleeps, CountOwnSleeps(obj, "calls"));
        Assert.Empty(prog.Links);
    }
}
