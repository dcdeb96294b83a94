using Ebpf.Programs;
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
        // A BTF that lies on purpose: its task_struct has tgid where the running kernel keeps pid (the thread id).
        // A loader that relocates against this file reads the thread id; one that ignored the option and used
        // /sys/kernel/btf/vmlinux would read the process id.
        var pidBitOffset = KernelMemberBitOffset("task_struct", "pid");
        var btf = new Object.Tests.BtfBuilder()
            .Int("int", 4, 32, 1)                                  // [1]
            .Typedef("pid_t", 1)                                   // [2]
            .Struct("task_struct", pidBitOffset / 8 + 64, false, ("tgid", 2, pidBitOffset)) // [3]
            .Build();
        var file = Path.Combine(Path.GetTempPath(), $"core-lying-{Environment.ProcessId}.btf");
        File.WriteAllBytes(file, btf);
        try
        {
            using var obj = BpfObject.OpenFile(TestObjects.Compile("core_btf_file.bpf.c"), new BpfObjectOptions { KernelBtfPath = file });
            obj.Load();
            // On a thread of its own: its thread id differs from the process id.
            var (tid, read) = (0, 0u);
            var thread = new Thread(() => { tid = CorePrograms.gettid(); read = Run(obj, "core_file_tgid"); });
            thread.Start();
            thread.Join();
            Assert.NotEqual(Environment.ProcessId, tid);
            Assert.Equal((uint)tid, read);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Where the running kernel puts a struct member, read with bpftool (an oracle independent of the runtime).</summary>
    private static uint KernelMemberBitOffset(string type, string member)
    {
        var dump = HostCommand.Check("bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "raw");
        var start = dump.IndexOf($"] STRUCT '{type}' ", StringComparison.Ordinal);
        Assert.True(start >= 0, $"bpftool lists no struct {type} in the kernel's BTF");
        var end = dump.IndexOf("\n[", start, StringComparison.Ordinal);
        var body = dump[start..(end < 0 ? dump.Length : end)];
        var m = System.Text.RegularExpressions.Regex.Match(body, $@"\n\s+'{member}' type_id=\d+ bits_offset=(\d+)");
        Assert.True(m.Success, $"bpftool lists no member {member} in struct {type}");
        return uint.Parse(m.Groups[1].Value);
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
