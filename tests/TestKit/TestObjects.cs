using System.Security.Cryptography;
using System.Text;
using Ebpf.Build;
using Ebpf.Build.Clang;

namespace Ebpf.TestKit;

/// <summary>
/// Compiles test programs (tests/bpf/*.bpf.c, or any .bpf.c) with the clang the build task finds and the command line
/// the task itself builds (<see cref="ClangCommandLine"/>, the same target, arch, include folders and
/// -ffile-prefix-map), into a per-user cache keyed by source, headers and command line, so every test project
/// shares one compile. A source that includes "vmlinux.h" gets one written from this kernel's BTF.
/// </summary>
public static class TestObjects
{
    private static readonly object gate = new();
    private static readonly Lazy<string> clang = new(() =>
        ClangLocator.Find(null, Environment.GetEnvironmentVariable(ClangLocator.EnvironmentVariable), Environment.GetEnvironmentVariable("PATH")).Path
        ?? throw new InvalidOperationException("no clang found (install the Debian package clang, see scripts/install-deps.sh)"));

    /// <summary>Path of the compiled object for tests/bpf/<paramref name="name"/> (e.g. "maps.bpf.c").</summary>
    public static string Compile(string name, params string[] extraArgs) =>
        CompileFile(Path.Combine(RepoPaths.TestBpfSources, name), extraArgs);

    /// <summary>Compiles <paramref name="source"/> as a project in its folder would (that folder is the project directory).</summary>
    public static string CompileFile(string source, params string[] extraArgs)
    {
        if (!File.Exists(source))
            throw new FileNotFoundException("no such BPF program", source);
        var projectDirectory = Path.GetDirectoryName(Path.GetFullPath(source))!;
        var text = File.ReadAllText(source);
        var settings = ClangSettings.ForHost(projectDirectory,
            vmlinuxDirectory: text.Contains("#include \"vmlinux.h\"", StringComparison.Ordinal) ? VmlinuxHeader.Directory : null);
        var stem = Path.GetFileName(source)[..^".bpf.c".Length];
        var commandLine = ClangCommandLine.Format(clang.Value, ClangCommandLine.Build(settings, Info(source, "OUT", extraArgs)));
        var key = Hash(text + commandLine + HeaderStamp(projectDirectory));
        // Named x.bpf.o as the build names it (the loader takes the object name from the file name), in a folder per key.
        var dir = Path.Combine(Path.GetTempPath(), "ebpf-test-objects", key);
        Directory.CreateDirectory(dir);
        var output = Path.Combine(dir, $"{stem}.bpf.o");
        lock (gate)
        {
            if (File.Exists(output))
                return output;
            var tmp = output + "." + Environment.ProcessId + ".tmp";
            try
            {
                HostCommand.Run(clang.Value, ClangCommandLine.Build(settings, Info(source, tmp, extraArgs)), TimeSpan.FromMinutes(3),
                                workingDirectory: projectDirectory).EnsureSuccess();
                File.Move(tmp, output, overwrite: true);
            }
            finally
            {
                File.Delete(tmp);
                File.Delete(tmp + ".d");
            }
            return output;
        }
    }

    public static byte[] Bytes(string name, params string[] extraArgs) => File.ReadAllBytes(Compile(name, extraArgs));

    /// <summary>
    /// Compiles tests/bpf/<paramref name="name"/> and loads it through <see cref="BpfObject"/>, as an application's
    /// skeleton would (maps created, every autoloaded program loaded); disposed again if the load fails.
    /// </summary>
    public static BpfObject Load(string name, BpfObjectOptions? options = null)
    {
        var obj = BpfObject.OpenFile(Compile(name), options);
        try
        {
            obj.Load();
            return obj;
        }
        catch
        {
            obj.Dispose();
            throw;
        }
    }

    private static BpfSourceInfo Info(string source, string output, string[] extraArgs) =>
        BpfSourceInfo.Standalone(source, output, extraArgs);

    private static string HeaderStamp(string directory)
    {
        var sb = new StringBuilder();
        foreach (var h in Directory.EnumerateFiles(directory, "*.h").Order(StringComparer.Ordinal))
            sb.Append(File.ReadAllText(h));
        return sb.ToString();
    }

    private static string Hash(string s) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(s)))[..16].ToLowerInvariant();
}
