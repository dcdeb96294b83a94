namespace Ebpf.Build.Clang;

/// <summary>One source's clang invocation: the arguments, built the same way for the up-to-date stamp and the compile.</summary>
internal static class ClangCommandLine
{
    /// <summary>The compile of <see cref="BpfSourceInfo.CompiledFile"/> (the source, or its Types wrapper) to the object, writing the .d file.</summary>
    public static IReadOnlyList<string> Build(ClangSettings settings, BpfSourceInfo source)
    {
        var args = Common(settings, source);
        if (source.IsLinked)
            args.Add("-emit-llvm"); // bitcode: llvm-link joins the sources, llc then writes one object with one BTF
        args.AddRange(["-MD", "-MF", source.DependencyFile]);
        args.AddRange(["-c", source.CompiledFile, "-o", source.ObjectFile]);
        return args;
    }

    /// <summary>The same target, defines, include path and flags, reading C from stdin: for the Types probe and preprocessing.</summary>
    public static IReadOnlyList<string> FromStdin(ClangSettings settings, BpfSourceInfo source, params string[] mode)
    {
        var args = Common(settings, source);
        args.AddRange(mode);
        args.AddRange(["-x", "c", "-"]);
        return args;
    }

    private static List<string> Common(ClangSettings settings, BpfSourceInfo source)
    {
        var args = new List<string>
        {
            "-target", settings.Target,
            "-g", "-O2",
            "-D__TARGET_ARCH_" + settings.TargetArch,
            // clang prints "file(line,col): error: text", which MSBuild understands; no ANSI colours in logs.
            "-fdiagnostics-format=msvc", "-fno-color-diagnostics",
            // Debug info and __FILE__ name files relative to the project: the object does not depend on where the repo is.
            "-ffile-prefix-map=" + TrimSlash(settings.ProjectDirectory) + "=.",
        };
        foreach (var dir in source.IncludeDirectories)
            args.Add("-I" + dir);
        if (settings.VmlinuxDirectory is { Length: > 0 } vmlinux)
            args.Add("-I" + TrimSlash(vmlinux));
        if (settings.MultiarchIncludeDirectory is { Length: > 0 } multiarch)
            args.AddRange(["-idirafter", multiarch]);
        args.AddRange(settings.CFlags);
        args.AddRange(source.ClangArgs);
        return args;
    }

    /// <summary>The command line as one line, for the log and the flags stamp.</summary>
    public static string Format(string clang, IEnumerable<string> args) =>
        string.Join(' ', new[] { clang }.Concat(args).Select(Quote));

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsLetterOrDigit(c) || "-_./=+,:@%".Contains(c)) ? arg : "'" + arg.Replace("'", "'\\''") + "'";

    private static string TrimSlash(string dir) => dir.Length > 1 ? dir.TrimEnd('/', '\\') : dir;
}
