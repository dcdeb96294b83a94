using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Ebpf.TestKit;

/// <summary>
/// Compiles the C programs in tests/bpf/ with clang (the same flags the build task uses) into a
/// per-user cache keyed by the source's content, so every test project shares one compile.
/// </summary>
public static class TestObjects
{
    private static readonly object gate = new();

    /// <summary>Path of the compiled object for tests/bpf/<paramref name="name"/> (e.g. "maps.bpf.c").</summary>
    public static string Compile(string name, params string[] extraArgs)
    {
        var source = Path.Combine(RepoPaths.TestBpfSources, name);
        if (!File.Exists(source))
            throw new FileNotFoundException("no such test program", source);
        var key = Hash(File.ReadAllText(source) + string.Join(" ", extraArgs) + HeaderStamp());
        var dir = Path.Combine(Path.GetTempPath(), "ebpf-test-objects");
        Directory.CreateDirectory(dir);
        var output = Path.Combine(dir, $"{Path.GetFileNameWithoutExtension(name)}-{key}.o");
        lock (gate)
        {
            if (File.Exists(output))
                return output;
            var tmp = output + "." + Environment.ProcessId + ".tmp";
            var args = new List<string>
            {
                "-target", "bpfel", "-g", "-O2", "-D__TARGET_ARCH_x86",
                "-I", RepoPaths.TestBpfSources, "-I", "/usr/include/x86_64-linux-gnu",
                "-c", source, "-o", tmp,
            };
            args.AddRange(extraArgs);
            Run("clang", args);
            File.Move(tmp, output, overwrite: true);
            return output;
        }
    }

    public static byte[] Bytes(string name, params string[] extraArgs) => File.ReadAllBytes(Compile(name, extraArgs));

    private static string HeaderStamp()
    {
        var sb = new StringBuilder();
        foreach (var h in Directory.EnumerateFiles(RepoPaths.TestBpfSources, "*.h").Order())
            sb.Append(File.ReadAllText(h));
        return sb.ToString();
    }

    private static string Hash(string s) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(s)))[..16].ToLowerInvariant();

    private static void Run(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}):\n{err.Result}");
    }
}
