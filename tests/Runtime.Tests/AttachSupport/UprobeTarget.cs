using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests.AttachSupport;

/// <summary>
/// A tiny C program that calls ebpf_uprobe_target() argv[1] times, built with cc once per test run into a
/// temporary directory named with the run prefix, which is deleted when the test process exits.
/// </summary>
internal static class UprobeTarget
{
    private const string Source = """
        #include <stdlib.h>
        __attribute__((noinline)) int ebpf_uprobe_target(int x) { __asm__ volatile("" ::: "memory"); return x + 1; }
        int main(int argc, char **argv) {
            int n = argc > 1 ? atoi(argv[1]) : 1, acc = 0;
            for (int i = 0; i < n; i++) acc += ebpf_uprobe_target(i);
            return acc == -1;
        }
        """;

    private static readonly Lazy<string> path = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), RunPrefix.Value + "-uprobe");
        Directory.CreateDirectory(dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, recursive: true); } catch (IOException) { } };
        var c = Path.Combine(dir, "target.c");
        var exe = Path.Combine(dir, "target");
        File.WriteAllText(c, Source);
        HostCommand.Check("cc", "-O1", "-o", exe, c);
        return exe;
    });

    public static string Build() => path.Value;
}
