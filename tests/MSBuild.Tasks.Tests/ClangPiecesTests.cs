using Ebpf.Build.Clang;
using Ebpf.Object;

namespace Ebpf.Build.Tasks.Tests;

/// <summary>The small parts of the compile step without running a build: finding clang, reading .d files, parsing diagnostics, names.</summary>
public sealed class ClangPiecesTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("ebpf-clang-pieces-");

    public void Dispose() => dir.Delete(recursive: true);

    private string Executable(string relative)
    {
        var path = Path.Combine(dir.FullName, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "#!/bin/sh\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Fact]
    public void LocatorPrefersPropertyThenEnvironmentThenPlainClangThenHighestVersion()
    {
        var a = Path.Combine(dir.FullName, "a");
        var b = Path.Combine(dir.FullName, "b");
        Executable("a/clang-14");
        var newest = Executable("b/clang-19");
        Executable("b/clang-16");
        File.WriteAllText(Path.Combine(b, "clang-21"), "not executable");
        var path = a + ":" + b;

        Assert.Equal(newest, ClangLocator.Find(null, null, path).Path);
        var plain = Executable("b/clang");
        Assert.Equal(plain, ClangLocator.Find(null, null, path).Path);
        var fromEnv = Executable("env/my-clang");
        Assert.Equal(fromEnv, ClangLocator.Find(null, fromEnv, path).Path);
        Assert.Equal("BPF_CLANG", ClangLocator.Find(null, fromEnv, path).Source);
        var fromProperty = Executable("prop/clang");
        Assert.Equal(fromProperty, ClangLocator.Find(fromProperty, fromEnv, path).Path);
        // A bare name in the property is looked up on PATH.
        Assert.Equal(Path.Combine(b, "clang-16"), ClangLocator.Find("clang-16", null, path).Path);
        // Explicit but wrong: not found, and says where it looked (for the error).
        var missing = ClangLocator.Find("/nonexistent/clang", fromEnv, path);
        Assert.Null(missing.Path);
        Assert.Equal("BpfClangPath", missing.Source);
        Assert.Null(ClangLocator.Find(null, null, Path.Combine(dir.FullName, "empty")).Path);
    }

    [Fact]
    public void DependencyFileListsPrerequisitesAcrossContinuationsAndEscapedSpaces()
    {
        var text = "/obj/x.bpf.o: /src/x.bpf.c /usr/include/linux/bpf.h \\\n  /src/my\\ dir/a.h \\\n  /src/b$$.h\n";
        Assert.Equal(["/src/x.bpf.c", "/usr/include/linux/bpf.h", "/src/my dir/a.h", "/src/b$.h"], DependencyFile.Parse(text));
        Assert.Empty(DependencyFile.Parse(""));
    }

    [Theory]
    [InlineData("/p/x.bpf.c(12,5): error: use of undeclared identifier 'y'", "Error", "/p/x.bpf.c", 12, 5, "use of undeclared identifier 'y'", null)]
    [InlineData("/p/x.bpf.c(3,10): fatal error: 'foo.h' file not found", "Error", "/p/x.bpf.c", 3, 10, "'foo.h' file not found", null)]
    [InlineData("/p/x.h(7,1): warning: unused variable 'v' [-Wunused-variable]", "Warning", "/p/x.h", 7, 1, "unused variable 'v'", "-Wunused-variable")]
    [InlineData("/p/x.bpf.c(2,3): note: previous definition is here", "Note", "/p/x.bpf.c", 2, 3, "previous definition is here", null)]
    [InlineData("clang: error: no such file or directory: 'x.c'", "Error", null, 0, 0, "no such file or directory: 'x.c'", null)]
    [InlineData("    6 | int broken(void) { return y; }", "Other", null, 0, 0, "    6 | int broken(void) { return y; }", null)]
    public void DiagnosticsParseFromMsvcFormat(string line, string severity, string? file, int lineNo, int col, string message, string? code)
    {
        var d = ClangDiagnostic.Parse(line);
        Assert.Equal(new ClangDiagnostic(Enum.Parse<ClangSeverity>(severity), file, lineNo, col, message, code), d);
    }

    [Fact]
    public void MissingWellKnownHeadersNameTheirPackage()
    {
        Assert.Contains("libbpf-dev", ClangDiagnostic.Parse("/p/x.c(1,10): fatal error: 'bpf/bpf_helpers.h' file not found").Message);
        Assert.Contains("linux-libc-dev", ClangDiagnostic.Parse("/p/x.c(1,10): fatal error: 'asm/types.h' file not found").Message);
        Assert.Contains("BpfGenerateVmlinuxHeader", ClangDiagnostic.Parse("/p/x.c(1,10): fatal error: 'vmlinux.h' file not found").Message);
        Assert.Equal("'mine.h' file not found", ClangDiagnostic.Parse("/p/x.c(1,10): fatal error: 'mine.h' file not found").Message);
    }

    [Theory]
    [InlineData("xdp-proxy.bpf.c", "XdpProxySkel")]
    [InlineData("sockredir.bpf.c", "SockredirSkel")]
    [InlineData("build_count_packets.bpf.c", "BuildCountPacketsSkel")]
    [InlineData("tc.c", "TcSkel")]
    [InlineData("4in6.bpf.c", "_4in6Skel")]
    [InlineData("XDP-proxy.bpf.c", "XdpProxySkel")]
    [InlineData("myProbe.bpf.c", "MyProbeSkel")]
    public void DefaultSkeletonNameComesFromTheFileName(string file, string expected) =>
        Assert.Equal(expected, SkeletonNames.FromFileName(file));

    [Fact]
    public void CommandLineHasTheContractFlagsInOrder()
    {
        var settings = new ClangSettings("/proj", "bpfel", "x86", "/usr/include/x86_64-linux-gnu", ["-Wall"], "/proj/obj/bpf/include");
        var source = new BpfSourceInfo("/proj/x.bpf.c", "/proj/obj/bpf/x.bpf.o", "/proj/obj/bpf/x.bpf.d", "/proj/obj/bpf/x.bpf.o.b64",
                                       "/proj/obj/bpf/x.bpf.flags", ["/proj/inc"], ["-DX=1"], "XSkel", "Ns", "Ebpf.Objects.x.bpf.o",
                                       [], "/proj/obj/bpf/x.bpf.types.c", "/proj/App.csproj", "");
        var args = ClangCommandLine.Build(settings, source);
        Assert.Equal(
            ["-target", "bpfel", "-g", "-O2", "-D__TARGET_ARCH_x86", "-fdiagnostics-format=msvc", "-fno-color-diagnostics",
             "-ffile-prefix-map=/proj=.", "-I/proj/inc", "-I/proj/obj/bpf/include", "-idirafter", "/usr/include/x86_64-linux-gnu",
             "-Wall", "-DX=1", "-MD", "-MF", "/proj/obj/bpf/x.bpf.d", "-c", "/proj/x.bpf.c", "-o", "/proj/obj/bpf/x.bpf.o"],
            args);
        // With Types, the wrapper is compiled instead of the source; everything else is the same.
        var withTypes = ClangCommandLine.Build(settings, source with { Types = ["event"] });
        Assert.Equal(args.Select(a => a == "/proj/x.bpf.c" ? "/proj/obj/bpf/x.bpf.types.c" : a), withTypes);
        // A source of a linked object (Object metadata) is compiled to bitcode for llvm-link.
        var linked = ClangCommandLine.Build(settings, source with { LinkedObject = "proxy.bpf.o", ObjectFile = "/proj/obj/bpf/x.bpf.bc" });
        Assert.Equal(args.Take(args.Count - 7).Append("-emit-llvm").Concat(args.Skip(args.Count - 7)).Select(a => a == "/proj/obj/bpf/x.bpf.o" ? "/proj/obj/bpf/x.bpf.bc" : a), linked);
    }

    [Fact]
    public void NmOutputGivesDefinedSymbolsAndWhetherTheyAreStrong()
    {
        const string output = "\n/obj/a.bc:\n---------------- D counters\n---------------- T on_exec\n---------------- W maybe\n---------------- V weak_var\n";
        Assert.Equal([("counters", true), ("on_exec", true), ("maybe", false), ("weak_var", false)], Ebpf.Build.Linking.NmSymbols.Parse(output));
    }
}
