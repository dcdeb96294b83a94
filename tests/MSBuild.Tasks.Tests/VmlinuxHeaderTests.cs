using System.Text;
using System.Text.RegularExpressions;
using Ebpf.Btf;
using Ebpf.Build;
using Ebpf.Build.Clang;
using Ebpf.Build.Vmlinux;
using Ebpf.Object;
using Ebpf.TestKit;

namespace Ebpf.Build.Tasks.Tests;

/// <summary>
/// The vmlinux.h writer against this machine's kernel BTF: clang accepts the header and a CO-RE program
/// that includes it, every struct/union has the size and member offsets BTF says, and it covers every
/// type bpftool's dumper writes (bpftool is the oracle here only).
/// </summary>
public sealed class VmlinuxHeaderTests : IClassFixture<VmlinuxHeaderTests.Generated>
{
    private const string KernelBtf = "/sys/kernel/btf/vmlinux";
    private readonly Generated generated;

    public VmlinuxHeaderTests(Generated generated) => this.generated = generated;

    /// <summary>vmlinux.h written once for all tests of this class.</summary>
    public sealed class Generated : IDisposable
    {
        public Generated()
        {
            Directory = System.IO.Directory.CreateTempSubdirectory("ebpf-vmlinux-");
            if (!File.Exists(KernelBtf))
                return;
            Spec = BtfSpec.Parse(File.ReadAllBytes(KernelBtf));
            using var writer = new StringWriter();
            VmlinuxWriter.Write(Spec, writer);
            Text = writer.ToString();
            File.WriteAllText(HeaderPath, Text);
        }

        public DirectoryInfo Directory { get; }
        public BtfSpec? Spec { get; }
        public string Text { get; } = "";
        public string HeaderPath => Path.Combine(Directory.FullName, "vmlinux.h");

        public void Dispose() => Directory.Delete(recursive: true);
    }

    private static void RequireKernelBtf() => Kernel.Require(File.Exists(KernelBtf), "kernel BTF at " + KernelBtf);

    [Fact]
    public void CoreProgramCompilesAgainstTheHeaderAndReadsThroughCoreRelocations()
    {
        RequireKernelBtf();
        var obj = Path.Combine(generated.Directory.FullName, "build_core.bpf.o");
        // The task's own command line, with the generated header's folder as the vmlinux include folder.
        var settings = ClangSettings.ForHost(RepoPaths.TestBpfSources, vmlinuxDirectory: generated.Directory.FullName);
        var source = BpfSourceInfo.Standalone(Path.Combine(RepoPaths.TestBpfSources, "build_core.bpf.c"), obj, []);
        HostCommand.Run("clang", ClangCommandLine.Build(settings, source), TimeSpan.FromMinutes(3), RepoPaths.TestBpfSources).EnsureSuccess();

        var spec = ObjectSpec.Parse(File.ReadAllBytes(obj));
        var program = spec.FindProgram("build_core_getpid");
        Assert.NotNull(program);
        var btf = spec.Btf!;
        var relocatedTypes = program.CoreRelocations.Select(r => btf.Resolve(r.TypeId).Name).ToHashSet();
        Assert.Contains("task_struct", relocatedTypes);
        // task->tgid, task->real_parent, parent->tgid, task->flags: one field-offset relocation each at least.
        Assert.True(program.CoreRelocations.Count(r => r.Kind == CoreRelocationKind.FieldByteOffset) >= 4,
                    string.Join(", ", program.CoreRelocations));
    }

    [Fact]
    public void EveryStructHasTheSizeAndMemberOffsetsOfBtf()
    {
        RequireKernelBtf();
        var spec = generated.Spec!;
        var names = new CNames(spec);
        var layout = new CLayout(spec);
        var checks = new StringBuilder("#include \"vmlinux.h\"\n#define OFF(t, m) __builtin_offsetof(t, m)\n");
        var structs = 0;
        var members = 0;
        for (var id = spec.FirstTypeId; id < (uint)spec.Count; id++)
        {
            if (spec[id] is not BtfComposite c || c.Name.Length == 0)
                continue;
            var type = (c.IsUnion ? "union " : "struct ") + names.Of(id);
            checks.Append($"_Static_assert(sizeof({type}) == {c.Size}, \"size of {type}\");\n");
            structs++;
            foreach (var m in c.Members)
            {
                if (m.Name.Length == 0 || layout.BitfieldWidth(m) != 0)
                    continue;
                checks.Append($"_Static_assert(OFF({type}, {m.Name}) == {m.BitOffset / 8}, \"{type}.{m.Name}\");\n");
                members++;
            }
        }
        var file = Path.Combine(generated.Directory.FullName, "layout_checks.c");
        File.WriteAllText(file, checks.ToString());
        Clang("-target", "bpfel", "-fsyntax-only", "-ferror-limit=0", "-I", generated.Directory.FullName, file);
        Assert.True(structs > 1000 && members > 10000, $"{structs} structs, {members} members checked");
    }

    [Fact]
    public void CoversEveryTypeBpftoolWrites()
    {
        RequireKernelBtf();
        Kernel.RequireTool("bpftool", "bpftool");
        // Installed, so any failure is a real one (an unreadable BTF, a bpftool that cannot parse it): not a skip.
        var theirs = DefinedNames(HostCommand.Run("bpftool", ["btf", "dump", "file", KernelBtf, "format", "c"], TimeSpan.FromMinutes(2)).EnsureSuccess());
        var ours = DefinedNames(generated.Text);
        Assert.True(theirs.Count > 1000, $"oracle parsed: {theirs.Count} names");
        var missing = theirs.Except(ours).Order().ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} types bpftool writes are missing: {string.Join(", ", missing.Take(30))}");
    }

    [Fact]
    public void HasTheGuardAndPreserveAccessIndex()
    {
        RequireKernelBtf();
        var text = generated.Text;
        Assert.Contains("#ifndef __VMLINUX_H__", text);
        Assert.Contains("#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)", text);
        Assert.Contains("#pragma clang attribute pop", text);
        Assert.EndsWith("#endif /* __VMLINUX_H__ */\n", text);
    }

    /// <summary>"struct x", "union x", "enum x", "typedef x" for each definition in a C dump.</summary>
    internal static HashSet<string> DefinedNames(string c)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Regex.Matches(c, @"^(struct|union|enum) (\w+) \{", RegexOptions.Multiline))
            set.Add(m.Groups[1].Value + " " + m.Groups[2].Value);
        foreach (Match m in Regex.Matches(c, @"^typedef (?<decl>[^;]*);$", RegexOptions.Multiline))
        {
            var decl = m.Groups["decl"].Value;
            var fn = Regex.Match(decl, @"\(\*\s*(\w+)\)");
            var name = fn.Success ? fn.Groups[1].Value : Regex.Match(decl, @"(\w+)\s*(\[\d*\])*\s*$").Groups[1].Value;
            set.Add("typedef " + name);
        }
        return set;
    }

    private static void Clang(params string[] args) => HostCommand.Run("clang", args, TimeSpan.FromMinutes(3)).EnsureSuccess();
}
