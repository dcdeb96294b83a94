using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// Objects that use what libbpf 1.1 cannot load (so there is no oracle for them) still load through the runtime:
/// kfunc calls, .kconfig externs, CO-RE relocations against the running kernel, enum map_extra, ring buffers.
/// </summary>
[Collection(KernelCollection.Name)]
public sealed class LoaderObjectsTests
{
    [Theory]
    [InlineData("obj_features.bpf.c")]
    [InlineData("core_kernel.bpf.c")]
    [InlineData("ev_ringbuf.bpf.c")]
    public void Loads(string source)
    {
        Kernel.RequireRoot();
        // obj_features pins a map by name: pin under a directory of this test, never the machine's /sys/fs/bpf.
        using var pins = new BpfFs("loads");
        using var obj = BpfObject.OpenFile(TestObjects.Compile(source), new BpfObjectOptions { PinPath = pins.Path });
        obj.Load();
        Assert.Null(obj.BtfRefusal);
        Assert.Equal(obj.Spec.Programs.Count(p => p.AutoLoad), obj.Programs.Count);
        Assert.All(obj.Programs, p => Assert.True(p.Id > 0));
    }

    /// <summary>obj_core reads the kernel variable bpf_prog_active (__ksym), which only CONFIG_KALLSYMS_ALL kernels publish.</summary>
    [Fact]
    public void Kernel_variables_load_or_the_missing_config_is_named()
    {
        Kernel.RequireRoot();
        using var obj = BpfObject.OpenFile(TestObjects.Compile("obj_core.bpf.c"));
        var published = File.ReadLines("/proc/kallsyms").Any(l => l.EndsWith(" bpf_prog_active", StringComparison.Ordinal));
        if (published)
        {
            obj.Load();
            Assert.Equal(obj.Spec.Programs.Count(p => p.AutoLoad), obj.Programs.Count);
            return;
        }
        var e = Assert.Throws<BpfVerifierException>(obj.Load);
        Assert.Equal("on_ksym", e.ProgramName);
        Assert.Contains("CONFIG_KALLSYMS_ALL", e.Message);
    }
}
