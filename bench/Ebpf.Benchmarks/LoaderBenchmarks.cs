using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Ebpf;

namespace Ebpf.Benchmarks;

/// <summary>
/// Time to load the example objects into the kernel and free them again: <see cref="BpfObject"/> (open, Load, Dispose)
/// against libbpf through `bpftool prog loadall` (which also pays bpftool's process start, so run it with
/// <see cref="BpftoolProcessStartOnly"/> to see that part). The objects are compiled with clang at setup. Needs root.
/// </summary>
[MemoryDiagnoser]
public class LoaderBenchmarks
{
    private string objectPath = null!;
    private string pinRoot = null!;
    private int pinCounter;

    [Params("sockredir", "xdp-proxy")]
    public string Example { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var repo = FindRepo();
        objectPath = Path.Combine(Path.GetTempPath(), $"bench-{Example}-{Environment.ProcessId}.bpf.o");
        Run("clang", "-target", "bpfel", "-g", "-O2", "-D__TARGET_ARCH_x86", "-I", "/usr/include/x86_64-linux-gnu",
            "-c", Path.Combine(repo, "examples", Example, Example + ".bpf.c"), "-o", objectPath);
        if (!Directory.Exists("/sys/fs/bpf") || !File.ReadAllText("/proc/mounts").Contains(" /sys/fs/bpf bpf "))
            Run("mount", "-t", "bpf", "bpf", "/sys/fs/bpf");
        pinRoot = $"/sys/fs/bpf/bench-loader-{Environment.ProcessId}";
        Directory.CreateDirectory(pinRoot);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (Directory.Exists(pinRoot))
            Directory.Delete(pinRoot, recursive: true);
        File.Delete(objectPath);
    }

    [Benchmark(Baseline = true)]
    public void BpfObjectLoad()
    {
        using var obj = BpfObject.OpenFile(objectPath);
        obj.Load();
    }

    [Benchmark]
    public void BpftoolLoadall()
    {
        var dir = Path.Combine(pinRoot, (pinCounter++).ToString());
        Directory.CreateDirectory(dir);
        Run("bpftool", "prog", "loadall", objectPath, dir);
        Directory.Delete(dir, recursive: true); // unpinning frees the programs (the maps go with them)
    }

    [Benchmark]
    public void BpftoolProcessStartOnly() => Run("bpftool", "version");

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {err.Result}");
    }

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "examples", "sockredir")))
                return dir.FullName;
        throw new DirectoryNotFoundException("run the benchmark from inside the repository (examples/ not found above the binary)");
    }
}
