using System.Runtime.Loader;
using Ebpf.Generator.Emitting;
using Ebpf.Generator.Model;
using Ebpf.Generator.Tests.Harness;
using Ebpf.Object;
using Ebpf.TestKit;

namespace Ebpf.Generator.Tests;

/// <summary>
/// Real kernel structs (sk_buff, task_struct, ...) as map values and globals: thousands of members with
/// anonymous unions, bitfields, flexible arrays and function pointers. The generated types compile and have
/// BTF's size and offsets. vmlinux.h comes from this machine's BTF (bpftool, a test-only tool).
/// </summary>
public class KernelTypesTests
{
    [Fact]
    public void KernelStructsGenerateCompileAndMatchBtf()
    {
        Kernel.Require(File.Exists("/sys/kernel/btf/vmlinux"), "kernel BTF at /sys/kernel/btf/vmlinux");
        var dir = Directory.CreateTempSubdirectory("ebpf-gen-kernel-");
        var context = new AssemblyLoadContext("kernel-types", isCollectible: true);
        try
        {
            var header = HostCommand.Run("bpftool", ["btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "c"]).EnsureSuccess();
            File.WriteAllText(Path.Combine(dir.FullName, "vmlinux.h"), header);
            var output = Path.Combine(dir.FullName, "gen_kernel.bpf.o");
            HostCommand.Run("clang", ["-target", "bpfel", "-g", "-O2", "-D__TARGET_ARCH_x86", "-I", dir.FullName,
                                      "-c", Path.Combine(RepoPaths.TestBpfSources, "gen_kernel.bpf.c"), "-o", output]).EnsureSuccess();
            var bytes = File.ReadAllBytes(output);
            var model = Models.Parse(ObjectInput.FromBytes(bytes, "gen_kernel", "KernelSkel"));
            Assert.True(model.CanGenerate, string.Join("\n", model.Diagnostics));
            Assert.DoesNotContain(model.Diagnostics, d => d.Id is "EBPF099" or "EBPF007");
            Assert.Contains(model.Maps, m => m.MapName == "skbs" && m.ViewType.EndsWith(".SkBuff>", StringComparison.Ordinal));
            Assert.True(model.Types.Count > 50, $"only {model.Types.Count} types generated");

            var btf = ObjectSpec.Parse(bytes).Btf!;
            var assembly = TestCompiler.Load(TestCompiler.Create("Kernel", withRuntime: false, SkeletonEmitter.EmitTypesOnly(model)), context);
            foreach (var type in model.Types)
            {
                var clr = assembly.GetType($"{model.Namespace}.{model.ClassName}+{type.Name}", throwOnError: true)!;
                Assert.True(type.Size == LayoutTests.SizeOf(clr), $"{type.Name}: BTF {type.Size}, CLR {LayoutTests.SizeOf(clr)}");
                LayoutTests.CheckAgainstBtf(btf, type, clr);
            }
        }
        finally
        {
            context.Unload();
            dir.Delete(recursive: true);
        }
    }
}
