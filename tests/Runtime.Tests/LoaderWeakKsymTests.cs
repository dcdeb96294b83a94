using Ebpf.Object;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// <c>__weak</c> kernel externs, as libbpf treats them: one this kernel lacks is not a load error; its address reads
/// as 0 (bpf_ksym_exists() is false) and a call to it is refused only where the verifier can reach it, with a
/// message that names the kfunc and the guard. A weak extern the kernel has resolves as a strong one.
/// </summary>
[Collection(KernelCollection.Name)]
public sealed class LoaderWeakKsymTests
{
    private static int Offset(BpfObject obj, string variable) =>
        (int)obj.Spec.DataSections.Single(d => d.Name == ".bss").Variables.Single(v => v.Name == variable).Offset;

    [Fact]
    public void The_reader_marks_weak_externs()
    {
        var spec = ObjectSpec.Parse(File.ReadAllBytes(TestObjects.Compile("rt_weak_ksym.bpf.c")));
        var refs = spec.FindProgram("weak_guarded")!.References;
        Assert.Contains(refs, r => r is { Kind: ReferenceKind.Kfunc, Symbol: "bpf_ebpfnet_no_such_kfunc", Weak: true });
        Assert.Contains(refs, r => r is { Kind: ReferenceKind.Extern, Symbol: "ebpfnet_no_such_variable", Weak: true });
        Assert.Contains(refs, r => r is { Kind: ReferenceKind.Extern, Symbol: "bpf_cast_to_kern_ctx", Weak: true });
    }

    [Fact]
    public void A_ksyms_extern_resolves_to_the_address_kallsyms_lists()
    {
        Kernel.RequireRoot();
        // Read by the test itself: the only "T bpf_prog_put" line (root sees real addresses).
        var listed = File.ReadLines("/proc/kallsyms").Select(l => l.Split(' ')).Where(f => f.Length >= 3 && f[2] == "bpf_prog_put" && f[1] is "T" or "t").ToList();
        var expected = Convert.ToUInt64(Assert.Single(listed)[0], 16);
        Assert.NotEqual(0UL, expected);
        using var obj = BpfObject.OpenFile(TestObjects.Compile("rt_ksym.bpf.c"));
        obj.Load();
        Assert.Equal(XdpAction.Pass, obj.GetProgram<XdpProgram>("ksym_address_of").TestRun(new byte[64]).XdpAction);
        Assert.Equal(expected, obj.GetGlobalData(".bss").Read<ulong>(Offset(obj, "ksym_address")));
    }

    [Fact]
    public void Missing_weak_externs_read_as_absent_and_their_guarded_calls_are_dropped()
    {
        Kernel.RequireRoot();
        using var obj = BpfObject.OpenFile(TestObjects.Compile("rt_weak_ksym.bpf.c"));
        obj.Load();
        var bss = obj.GetGlobalData(".bss");
        bss.Write(Offset(obj, "has_no_such_kfunc"), 7u); // the program must overwrite these
        bss.Write(Offset(obj, "has_no_such_variable"), 7u);

        Assert.Equal(XdpAction.Pass, obj.GetProgram<XdpProgram>("weak_guarded").TestRun(new byte[64]).XdpAction);

        Assert.Equal(1u, bss.Read<uint>(Offset(obj, "has_cast_to_kern_ctx"))); // Linux 6.2 and later have it
        Assert.Equal(0u, bss.Read<uint>(Offset(obj, "has_no_such_kfunc")));
        Assert.Equal(0u, bss.Read<uint>(Offset(obj, "has_no_such_variable")));
        Assert.Equal(0u, bss.Read<uint>(Offset(obj, "guarded_calls")));
    }

    [Fact]
    public void An_unguarded_call_of_a_missing_weak_kfunc_is_refused_by_name()
    {
        Kernel.RequireRoot();
        using var obj = BpfObject.OpenFile(TestObjects.Compile("rt_weak_ksym.bpf.c", "-DUNGUARDED"));
        var e = Assert.Throws<BpfVerifierException>(obj.Load);
        TestContext.Current.TestOutputHelper?.WriteLine(e.Message);
        Assert.Equal("weak_unguarded", e.ProgramName);
        Assert.Contains("'bpf_ebpfnet_no_such_kfunc'", e.Message);
        Assert.Contains("bpf_ksym_exists(bpf_ebpfnet_no_such_kfunc)", e.Message);
    }
}
