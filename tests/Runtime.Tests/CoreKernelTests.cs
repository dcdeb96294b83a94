using System.Text.RegularExpressions;
using Ebpf.Btf;
using Ebpf.Core;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.Runtime.Tests.CoreSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// CO-RE against the running kernel: tests/bpf/core_kernel.bpf.c declares task_struct with its members in the
/// wrong order and at the wrong offsets; the programs read the right values only if every access is relocated.
/// libbpf (inside bpftool) relocating the same object is the oracle for the patched instructions.
/// </summary>
[Collection(KernelCollection.Name)]
public sealed partial class CoreKernelTests
{
    private const string Source = "core_kernel.bpf.c";

    private static uint Run(string program)
    {
        using var obj = CorePrograms.Load(Source, program, out var result);
        Assert.Empty(result.Failures);
        return CorePrograms.RunRawTracepoint(obj, program);
    }

    [Fact]
    public void Relocated_reads_of_task_struct_return_this_process_ids()
    {
        Kernel.RequireRoot();
        Assert.Equal((uint)Environment.ProcessId, Run("core_tgid"));
        Assert.Equal((uint)Environment.ProcessId, Run("core_flavor_tgid"));
        Assert.Equal((uint)CorePrograms.getppid(), Run("core_parent_tgid"));
        // the test run executes in the calling thread, whose pid in kernel terms is its thread id
        var tid = CorePrograms.gettid();
        using var obj = CorePrograms.Load(Source, "core_pid", out _);
        Assert.Equal((uint)tid, CorePrograms.RunRawTracepoint(obj, "core_pid"));
    }

    [Fact]
    public void Type_size_enum_value_and_existence_come_from_the_kernel()
    {
        Kernel.RequireRoot();
        var vmlinux = CoreTarget.RunningKernel.Vmlinux;
        var taskStruct = vmlinux.FindByName("task_struct").First(t => t.Kind == BtfKind.Struct);
        Assert.Equal(vmlinux.SizeOf(taskStruct.Id), Run("core_type_size"));
        var tgid = vmlinux.Find<BtfEnum>("pid_type")!.Values.Single(v => v.Name == "PIDTYPE_TGID").Value;
        Assert.Equal((uint)(tgid * 100 + 1), Run("core_enum"));
        Assert.Equal(0u * 1000 + 100 + 10, Run("core_existence"));
    }

    [Fact]
    public void Guarded_access_to_a_missing_member_is_poisoned_in_dead_code_and_the_program_loads()
    {
        Kernel.RequireRoot();
        using var obj = CorePrograms.Load(Source, "core_guarded", out var result);
        Assert.Equal(4242u, CorePrograms.RunRawTracepoint(obj, "core_guarded"));
        var failure = Assert.Single(result.Failures);
        Assert.Equal(CoreRelocationKind.FieldByteOffset, failure.Kind);
        Assert.Equal("task_struct___old.no_such_member_in_kernel", failure.Access);
    }

    [Fact]
    public void Unguarded_access_to_a_missing_member_is_refused_by_the_verifier_and_the_failure_names_the_relocation()
    {
        Kernel.RequireRoot();
        var obj = CorePrograms.Object(Source);
        var spec = obj.FindProgram("core_unguarded")!;
        var result = CoreRelocator.Relocate(obj, spec, CoreTarget.RunningKernel);
        var failure = Assert.Single(result.Failures);
        Assert.Equal("struct task_struct___old", failure.LocalType);
        Assert.Equal("0:0", failure.AccessString);
        Assert.Contains("byte_off of struct task_struct___old access task_struct___old.no_such_member_in_kernel (0:0)", failure.ToString());
        Assert.Contains("compatible task_struct___old.no_such_member_in_kernel", failure.Reason);
        // The object that holds only this program: BpfObject.Load relocates it the same way and the verifier refuses it.
        using var unguarded = BpfObject.OpenFile(TestObjects.Compile("core_unguarded.bpf.c"));
        var e = Assert.Throws<BpfVerifierException>(unguarded.Load);
        Assert.Contains("unknown#195896080", e.VerifierLog);
    }

    [Fact]
    public void Patched_instructions_equal_libbpfs_for_every_relocation()
    {
        Kernel.RequireRoot();
        var libbpf = LibbpfRelocations(TestObjects.Compile(Source));
        Assert.NotEmpty(libbpf);
        var obj = CorePrograms.Object(Source);
        var ours = new List<string>();
        foreach (var program in obj.Programs.Where(p => p.CoreRelocations.Count > 0 && p.AutoLoad))
        {
            var result = CoreRelocator.Relocate(obj, program, CoreTarget.RunningKernel);
            foreach (var a in result.Applied)
                ours.Add(a.Poisoned ? $"{program.Name} #{a.InstructionIndex} poison" : $"{program.Name} #{a.InstructionIndex} {a.New}");
        }
        Assert.Equal(libbpf.Order(StringComparer.Ordinal), ours.Order(StringComparer.Ordinal));
    }

    // libbpf's debug log (bpftool -d) prints every patched instruction and every poisoned one.
    private static List<string> LibbpfRelocations(string objectPath)
    {
        BpfFs.EnsureMounted();
        using var pins = new BpfFs("core");
        var log = HostCommand.Run("bpftool", "-d", "prog", "loadall", objectPath, Path.Combine(pins.Path, "progs"));
        var result = new List<string>();
        foreach (var line in (log.StandardError + log.StandardOutput).Split('\n'))
        {
            var patched = Patched().Match(line);
            if (patched.Success)
                result.Add($"{patched.Groups[1].Value} #{patched.Groups[2].Value} {patched.Groups[3].Value}");
            var poisoned = Poisoned().Match(line);
            if (poisoned.Success)
                result.Add($"{poisoned.Groups[1].Value} #{poisoned.Groups[2].Value} poison");
        }
        return result;
    }

    [GeneratedRegex(@"prog '(\w+)': relo #\d+: patched insn #(\d+) \((?:ALU/ALU64|LDX/ST/STX|LDIMM64)\) (?:imm|off|imm64) \d+ -> (\d+)")]
    private static partial Regex Patched();

    [GeneratedRegex(@"prog '(\w+)': relo #\d+: substituting insn #(\d+) w/ invalid insn")]
    private static partial Regex Poisoned();
}
