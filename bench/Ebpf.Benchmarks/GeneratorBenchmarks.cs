using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Ebpf.Generator.Emitting;
using Ebpf.Generator.Model;
using Ebpf.Generator.Parsing;

namespace Ebpf.Benchmarks;

/// <summary>
/// The skeleton generator's work per object: base64 decode, ELF/BTF parse, model build, source emit (what
/// the compiler runs when the object changed; unchanged objects are cached by the incremental pipeline).
/// Run: dotnet run -c Release --project bench/Ebpf.Benchmarks -- --filter '*GeneratorBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    [Params("sockredir", "xdp-proxy", "gen_maps", "gen_globals")]
    public string Object { get; set; } = "";

    private string Source => Object.StartsWith("gen_", StringComparison.Ordinal)
        ? $"tests/bpf/{Object}.bpf.c"
        : $"examples/{Object}/{Object}.bpf.c";

    private ObjectItem item = null!;

    [GlobalSetup]
    public void Setup()
    {
        var bytes = CompileWithClang(Source);
        var stem = Path.GetFileName(Source).Replace(".bpf.c", "");
        item = new ObjectItem($"obj/bpf/{stem}.bpf.o.b64", Convert.ToBase64String(bytes), "BenchSkel", "Bench",
                              $"Ebpf.Objects.{stem}.bpf.o", Source, Types: "", Access: "");
    }

    [Benchmark]
    public string ParseAndEmit()
    {
        var model = ObjectParser.Parse(item, CancellationToken.None);
        if (!model.CanGenerate)
            throw new InvalidOperationException($"{Source} did not generate: {string.Join("; ", model.Diagnostics)}");
        return SkeletonEmitter.Emit(model);
    }

    private static byte[] CompileWithClang(string relative)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Ebpf.slnx")))
            root = Path.GetDirectoryName(root.TrimEnd('/')) ?? throw new InvalidOperationException("repository root (Ebpf.slnx) not found");
        var source = Path.Combine(root, relative);
        var output = Path.Combine(Path.GetTempPath(), $"bench-{Path.GetFileName(source)}.{Environment.ProcessId}.o");
        var psi = new ProcessStartInfo("clang") { RedirectStandardError = true };
        foreach (var a in new[] { "-target", "bpfel", "-g", "-O2", "-D__TARGET_ARCH_x86", "-I", Path.GetDirectoryName(source)!,
                                  "-I", "/usr/include/x86_64-linux-gnu", "-c", source, "-o", output })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"clang failed on {source}: {err}");
        var bytes = File.ReadAllBytes(output);
        File.Delete(output);
        return bytes;
    }
}
