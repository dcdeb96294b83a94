using Ebpf.Btf;
using Ebpf.Core;
using Ebpf.Runtime.Tests.CoreSupport;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// The CO-RE matcher without a kernel: tests/bpf/core_local.bpf.c (the "program", with core_local.h) is relocated
/// against the BTF of tests/bpf/core_target.bpf.c (the "kernel"), whose layout differs in every way libbpf handles:
/// reordered members, a member moved into an anonymous union inside an anonymous struct, a wider array element,
/// bitfields at other bits, a narrower integer, flavors and an enum with other values. Expected offsets are those
/// bpftool prints for core_target.bpf.c (see the layout comment in that file's test below).
/// </summary>
public sealed class CoreMatcherTests
{
    // struct core_sample in the target (bpftool btf dump): counter@0, anon union@8 { wide@0, anon struct { pad@0,
    // inner@4 (struct core_inner { a, b, c } [4]) } }, small@64, narrow@66 (unsigned short), flag_a bits 544..546,
    // flag_b bits 547..551, name@69 (char[8]), tail@80 (int[]); size 80.
    private static readonly Lazy<CoreRelocationResult> relocated = new(() =>
        CorePrograms.Relocate("core_local.bpf.c", "core_local", Target));

    private static CoreTarget Target => CoreTarget.FromBtf(CorePrograms.Object("core_target.bpf.c").Btf!, "core_target.bpf.c");

    // clang may emit the same relocation for several instructions (e.g. a bitfield read); all must agree
    private static CoreAppliedRelocation Applied(CoreRelocationKind kind, string access)
    {
        var all = relocated.Value.Applied.Where(a => a.Kind == kind && a.Access == access).ToList();
        Assert.True(all.Count > 0, $"no {kind} relocation of {access}; the program has: " +
            string.Join(", ", relocated.Value.Applied.Select(a => $"{a.Kind} {a.Access}")));
        Assert.All(all, a => Assert.Equal(all[0].New, a.New));
        return all[0];
    }

    [Theory]
    [InlineData("core_sample.counter", 0)]
    [InlineData("core_sample.wide", 8)]                 // found inside the target's anonymous union
    [InlineData("core_sample.inner[2].a", 8 + 4 + 2 * 12)] // anonymous struct in the union, element size 12 instead of 8
    [InlineData("core_sample.small", 64)]
    [InlineData("core_sample.narrow", 66)]
    [InlineData("core_sample.name[3]", 69 + 3)]
    [InlineData("core_sample.tail[5]", 80 + 5 * 4)]   // flexible array: any index is in bounds
    public void Field_offsets_follow_the_target_layout(string access, int offset) =>
        Assert.Equal((ulong)offset, Applied(CoreRelocationKind.FieldByteOffset, access).New);

    [Fact]
    public void Bitfield_is_read_with_the_targets_offset_size_and_shifts()
    {
        // flag_a: bits 544..546 of the target; read as the 4-byte unsigned int at 68
        Assert.Equal(68ul, Applied(CoreRelocationKind.FieldByteOffset, "core_sample.flag_a").New);
        Assert.Equal(4ul, Applied(CoreRelocationKind.FieldByteSize, "core_sample.flag_a").New);
        Assert.Equal(64ul - 3, Applied(CoreRelocationKind.FieldLShiftU64, "core_sample.flag_a").New);
        Assert.Equal(64ul - 3, Applied(CoreRelocationKind.FieldRShiftU64, "core_sample.flag_a").New);
        Assert.Equal(4ul, Applied(CoreRelocationKind.FieldByteSize, "core_sample.flag_b").New);
    }

    [Fact]
    public void Signedness_comes_from_the_target_member()
    {
        var signed = Applied(CoreRelocationKind.FieldSigned, "core_sample.narrow");
        Assert.Equal(1ul, signed.Original); // short locally
        Assert.Equal(0ul, signed.New);      // unsigned short in the target
    }

    [Fact]
    public void Flavors_match_the_type_without_their_suffix()
    {
        Assert.Equal(0ul, Applied(CoreRelocationKind.FieldExists, "core_sample___v2.only_in_v2").New);
        Assert.Equal(1ul, Applied(CoreRelocationKind.FieldExists, "core_sample___v2.counter").New);
        // a member of an incompatible kind (struct locally, int in the target) does not match
        Assert.Equal(0ul, Applied(CoreRelocationKind.FieldExists, "core_sample___badtype.counter").New);
    }

    [Fact]
    public void Enum_values_and_type_size_come_from_the_target()
    {
        var red = Applied(CoreRelocationKind.EnumValue, "core_color::CORE_RED");
        Assert.Equal(10ul, red.Original);
        Assert.Equal(2ul, red.New);
        Assert.Equal(0ul, Applied(CoreRelocationKind.EnumValueExists, "core_color::CORE_BLUE").New);
        Assert.Equal(80ul, Applied(CoreRelocationKind.TypeSize, "core_sample").New);
        Assert.Empty(relocated.Value.Failures);
    }

    [Fact]
    public void Relocated_instructions_carry_the_new_values()
    {
        var obj = CorePrograms.Object("core_local.bpf.c");
        var original = obj.FindProgram("core_local")!.Instructions;
        var result = relocated.Value;
        var changed = result.Applied.Where(a => a.Original != a.New).ToList();
        Assert.NotEmpty(changed);
        foreach (var a in changed)
            Assert.NotEqual(original.AsSpan(a.InstructionIndex * 8, 8).ToArray(), result.Instructions.AsSpan(a.InstructionIndex * 8, 8).ToArray());
        var untouched = Enumerable.Range(0, original.Length / 8).Except(result.Applied.Select(a => a.InstructionIndex)).ToList();
        foreach (var i in untouched)
            Assert.Equal(original.AsSpan(i * 8, 8).ToArray(), result.Instructions.AsSpan(i * 8, 8).ToArray());
    }

    [Fact]
    public void Type_matches_checks_names_members_sizes_and_signedness()
    {
        var local = CorePrograms.Object("core_local.bpf.c").Btf!;
        var target = CorePrograms.Object("core_target.bpf.c").Btf!;
        uint Id(BtfSpec btf, string name, BtfKind kind) => btf.FindByName(name).First(t => t.Kind == kind).Id;

        // local core_inner { b, a } is a subset of the target's { a, b, c }
        Assert.True(CoreTypeRules.TypesMatch(local, Id(local, "core_inner", BtfKind.Struct), target, Id(target, "core_inner", BtfKind.Struct)));
        // local core_sample has 'wide' as a direct member; the target has it only inside an anonymous union
        Assert.False(CoreTypeRules.TypesMatch(local, Id(local, "core_sample", BtfKind.Struct), target, Id(target, "core_sample", BtfKind.Struct)));
        // CORE_BLUE has no counterpart in the target
        Assert.False(CoreTypeRules.TypesMatch(local, Id(local, "core_color", BtfKind.Enum), target, Id(target, "core_color", BtfKind.Enum)));
        // but the looser compatibility used by type_exists holds
        Assert.True(CoreTypeRules.TypesAreCompatible(local, Id(local, "core_sample", BtfKind.Struct), target, Id(target, "core_sample", BtfKind.Struct)));
    }

    [Theory]
    [InlineData("task_struct", "task_struct")]
    [InlineData("task_struct___old", "task_struct")]
    [InlineData("task_struct___2___x", "task_struct___2")]
    [InlineData("__u32", "__u32")]
    [InlineData("a____b", "a____b")]   // four underscores are not a flavor separator
    [InlineData("a___", "a___")]       // nor three at the end
    public void Essential_name_drops_only_the_last_flavor(string name, string essential) =>
        Assert.Equal(essential, CoreNames.Essential(name));

    [Fact]
    public void Missing_target_type_poisons_the_instruction_with_libbpfs_marker()
    {
        var empty = CoreTarget.FromBtf(CorePrograms.Object("core_kernel.bpf.c").Btf!, "an unrelated object");
        var result = CorePrograms.Relocate("core_local.bpf.c", "core_local", empty);
        Assert.NotEmpty(result.Failures);
        foreach (var f in result.Failures)
        {
            Assert.Matches("the target \\(an unrelated object\\) has no (struct named core_sample|enum named core_color)", f.Reason);
            var insn = result.Instructions.AsSpan(f.InstructionIndex * 8, 8);
            Assert.Equal(0x85, insn[0]);                                          // BPF_JMP | BPF_CALL
            Assert.Equal(195896080, BitConverter.ToInt32(insn.Slice(4)));         // 0xbad2310
        }
    }
}
