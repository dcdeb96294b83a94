using System.Diagnostics;
using Ebpf.Links;
using Ebpf.Maps;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>PERF_EVENT programs sampling a software event on every CPU, and kprobe.multi on a kernel without kprobes.</summary>
[Collection(KernelCollection.Name)]
public sealed class AttachPerfEventTests
{
    private const string Source = "pe_count.bpf.c";

    [Fact]
    public void Cpu_clock_sampling_counts_on_every_cpu_and_stops_after_dispose()
    {
        Kernel.RequireRoot();
        using var obj = BpfObject.OpenFile(TestObjects.Compile(Source));
        obj.Load();
        var prog = obj.GetProgram<PerfEventProgram>("pe_count");
        var samples = new PerCpuArrayMap<ulong>(obj.GetMap("pe_samples"));
        var online = SysfsCpus.Online;
        var link = prog.AttachSoftwareEvent(PerfSoftwareEvent.CpuClock, 1000, frequency: true);
        try
        {
            Assert.True(link.IsKernelLink);
            Assert.Contains("CpuClock", link.Description);
            // One busy loop pinned to each online CPU in turn: every CPU's own counter must move, so a link
            // that opened the event on one CPU only (or on the calling thread) fails here.
            foreach (var cpu in online)
                SysfsCpus.RunPinned(cpu, () => BusyLoop(TimeSpan.FromMilliseconds(200)));
            var perCpu = samples.Lookup(0);
            foreach (var cpu in online)
                Assert.True(perCpu[cpu] > 0, $"CPU {cpu} took no sample in 200 ms of busy loop at 1000 Hz (counts: {string.Join(", ", perCpu)})");
        }
        finally
        {
            link.Dispose();
        }
        Assert.Empty(prog.Links);
        var after = samples.Lookup(0);
        foreach (var cpu in online)
            SysfsCpus.RunPinned(cpu, () => BusyLoop(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(after, samples.Lookup(0));
    }

    [Fact]
    public void A_zero_sample_period_is_refused()
    {
        Kernel.RequireRoot();
        using var obj = BpfObject.OpenFile(TestObjects.Compile(Source));
        obj.Load();
        var prog = obj.GetProgram<PerfEventProgram>("pe_count");
        Assert.Throws<ArgumentOutOfRangeException>(() => prog.AttachSoftwareEvent(PerfSoftwareEvent.CpuClock, 0));
        Assert.Empty(prog.Links);
    }

    [Fact]
    public void Kprobe_multi_counts_every_call_or_without_kernel_kprobes_explains_and_suggests_tracepoints()
    {
        Kernel.RequireRoot();
        using var obj = BpfObject.OpenFile(TestObjects.Compile(Source));
        obj.Load();
        var prog = obj.GetProgram<KprobeProgram>("pe_kprobe_multi");
        if (Nanosleep.KernelHasKprobes)
        {
            // Unverified on the project's test kernel (no kprobes): the path a kernel with kprobes takes.
            using (prog.Attach())
                Assert.Equal(10UL, AttachUnavailableTests.CountOwnSleeps(obj, "multi_calls"));
            Assert.Empty(prog.Links);
            return;
        }
        var e = Assert.Throws<BpfAttachException>(() => prog.Attach());
        Assert.Contains("this kernel has no kprobes (CONFIG_KPROBES is off", e.Message);
        Assert.Contains("kprobe.multi", e.Message);
        Assert.Contains("tp_btf", e.Message);
        Assert.Empty(prog.Links);
    }

    private static void BusyLoop(TimeSpan duration)
    {
        var watch = Stopwatch.StartNew();
        var x = 0UL;
        while (watch.Elapsed < duration)
            x = x * 6364136223846793005UL + 1;
        GC.KeepAlive(x);
    }
}
