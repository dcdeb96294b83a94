using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.Runtime.Tests.CoreSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>CO-RE through the runtime's loader: BpfObject.Load relocates against the running kernel or the BTF file in the options.</summary>
[Collection(KernelCollection.Name)]
public sealed class CoreObjectTests
{
    private const string Source = "core_kernel.bpf.c";

    private static uint Run(BpfObject obj, string program) =>
        CorePrograms.RunRawTracepoint(obj.GetProgram<RawTracepointProgram>(program).Handle);

    [Fact]
    public void BpfObject_loads_relocated_programs_that_read_this_process()
    {
        Kernel.RequireRoot();
        using var obj = BpfObject.OpenFile(TestObjects.Compile(Source));
        obj.Load();
        Assert.Equal((uint)Environment.ProcessId, Run(obj, "core_tgid"));
        Assert.Equal((uint)Environment.ProcessId, Run(obj, "core_flavor_tgid"));
        Assert.Equal((uint)CorePrograms.getppid(), Run(obj, "core_parent_tgid"));
        Assert.Equal(4242u, Run(obj, "core_guarded"));
    }

    [Fact]
    public void Verifier_error_of_a_reachable_unsatisfied_relocation_names_it()
    {
        Kernel.RequireRoot();
        using var obj = BpfObject.OpenFile(TestObjects.Compile("core_unguarded.bpf.c"));
        var e = Assert.Throws<BpfVerifierException>(obj.Load);
        Assert.Contains("unsatisfied CO-RE relocation: program 'core_unguarded'", e.Message);
        Assert.Contains("byte_off of struct task_struct___old access task_struct___old.no_such_member_in_kernel (0:0)", e.Message);
        Assert.Contains("bpf_core_field_exists", e.Message);
        Assert.Contains("unknown#195896080", e.VerifierLog);
    }

    [Fact]
    public void KernelBtfPath_option_relocates_against_the_given_file()
    {
        Kernel.RequireRoot();
        var copy = Path.Combine(Path.GetTempPath(), $"core-vmlinux-{Environment.ProcessId}.btf");
        File.Copy("/sys/kernel/btf/vmlinux", copy, overwrite: true);
        try
        {
            using var obj = BpfObject.OpenFile(TestObjects.Compile(Source), new BpfObjectOptions { KernelBtfPath = copy });
            obj.Load();
            Assert.Equal((uint)Environment.ProcessId, Run(obj, "core_tgid"));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void A_BTF_file_that_is_not_BTF_is_refused_with_its_path()
    {
        Kernel.RequireRoot();
        var bogus = Path.Combine(Path.GetTempPath(), $"core-not-btf-{Environment.ProcessId}.btf");
        File.WriteAllText(bogus, "this is not BTF");
        try
        {
            using var obj = BpfObject.OpenFile(TestObjects.Compile(Source), new BpfObjectOptions { KernelBtfPath = bogus });
            var e = Assert.ThrowsAny<Exception>(obj.Load);
            Assert.Contains(bogus, e.ToString());
            Assert.Contains("not valid raw BTF", e.ToString());
        }
        finally
        {
            File.Delete(bogus);
        }
    }
}
