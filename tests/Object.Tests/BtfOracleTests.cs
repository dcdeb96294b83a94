using System.Diagnostics;
using Ebpf.Btf;
using Ebpf.TestKit;

namespace Ebpf.Object.Tests;

/// <summary>The BTF reader against bpftool's reading of the same bytes, for an object and for the running kernel.</summary>
public class BtfOracleTests(ITestOutputHelper output)
{
    private const string Vmlinux = "/sys/kernel/btf/vmlinux";

    [Fact]
    public void ObjectBtfMatchesBpftoolTypeForType()
    {
        var obj = TestObjects.Compile("obj_features.bpf.c");
        var section = Path.Combine(Path.GetTempPath(), $"obj-features-{Environment.ProcessId}.btf");
        try
        {
            Oracles.Run("llvm-objcopy", "--dump-section", ".BTF=" + section, obj, Path.Combine(Path.GetTempPath(), $"obj-features-{Environment.ProcessId}.o"));
            var btf = BtfSpec.Parse(File.ReadAllBytes(section));
            AssertSameLines(Oracles.Run("bpftool", "btf", "dump", "file", section), BtfDump.Render(btf));
        }
        finally
        {
            File.Delete(section);
            File.Delete(Path.Combine(Path.GetTempPath(), $"obj-features-{Environment.ProcessId}.o"));
        }
    }

    [Fact]
    public void VmlinuxParsesFullyAndQuicklyAndMatchesBpftool()
    {
        Kernel.Require(File.Exists(Vmlinux), "kernel BTF at " + Vmlinux);
        var bytes = File.ReadAllBytes(Vmlinux);
        var sw = Stopwatch.StartNew();
        var btf = BtfSpec.Parse(bytes);
        var parse = sw.Elapsed;
        sw.Restart();
        BtfSpec.Parse(bytes);
        var warm = sw.Elapsed;
        sw.Restart();
        var oracle = Oracles.Run("bpftool", "btf", "dump", "file", Vmlinux);
        var bpftool = sw.Elapsed;
        output.WriteLine($"vmlinux BTF: {bytes.Length} bytes, {btf.Count} type ids, parsed in {parse.TotalMilliseconds:F0} ms (first, with JIT), "
                         + $"{warm.TotalMilliseconds:F0} ms (second); bpftool read and printed it in {bpftool.TotalMilliseconds:F0} ms");
        // A wide relative bound instead of a fixed time: on the same machine in the same minute, our first parse (JIT
        // included) stays within 3x of what bpftool, a C program, needs to read the same BTF and print every type.
        Assert.True(parse < bpftool * 3, $"parsing vmlinux took {parse}, bpftool {bpftool}");
        Assert.True(btf.Count > 10_000);

        var task = btf.Find<BtfComposite>("task_struct")!;
        Assert.False(task.IsUnion);
        Assert.Contains(task.Members, m => m.Name == "pid");
        Assert.Equal(task.Size, btf.SizeOf(task.Id));
        Assert.Equal(4u, btf.SizeOf(task.Members.Single(m => m.Name == "pid").TypeId));
        Assert.NotNull(btf.Find<BtfFunc>("bpf_map_lookup_elem") ?? btf.Find<BtfFunc>("bpf_prog_run"));
        Assert.Equal(BtfKind.Int, btf.Resolve(btf.Find<BtfRef>("u32")!.Id).Kind);

        AssertSameLines(oracle, BtfDump.Render(btf));
    }

    [Fact]
    public void EverySizeInVmlinuxResolvesWithoutError()
    {
        Kernel.Require(File.Exists(Vmlinux), "kernel BTF at " + Vmlinux);
        var btf = BtfSpec.Parse(File.ReadAllBytes(Vmlinux));
        for (uint id = 1; id < btf.Count; id++)
        {
            var t = btf[id];
            if (t is BtfComposite c)
                Assert.Equal(c.Size, btf.SizeOf(id));
            if (t is BtfArray a && btf.Resolve(a.ElementId) is not BtfFwd and not BtfFunc and not BtfFuncProto and not BtfVoid)
                Assert.Equal((ulong)a.Length * btf.SizeOf(a.ElementId), btf.SizeOf(id));
        }
    }

    private static void AssertSameLines(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Min(e.Length, a.Length); i++)
            if (e[i] != a[i])
                Assert.Fail($"line {i + 1} differs:\n bpftool: {e[i]}\n reader:  {a[i]}");
        Assert.Equal(e.Length, a.Length);
    }
}
