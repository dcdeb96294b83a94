using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Ebpf.Build.Tasks.Tests;

/// <summary>The outcome of one dotnet command: exit code and the whole log (stdout and stderr).</summary>
public sealed record DotnetResult(string CommandLine, int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The files clang compiled in this build ("Ebpf.Build: compiling x.bpf.c" lines), without duplicates.</summary>
    public IReadOnlyList<string> CompiledSources =>
        Regex.Matches(Output, @"Ebpf\.Build: compiling (\S+)").Select(m => m.Groups[1].Value).Distinct().Order().ToList();

    /// <summary>The distinct error lines ("file(l,c): error CODE: text [project]"); MSBuild repeats them in its summary.</summary>
    public IReadOnlyList<string> Errors =>
        Output.Split('\n').Select(l => Regex.Replace(l.Trim(), @"^\d+(:\d+)?>", "")).Where(l => Regex.IsMatch(l, @":\s+(\w+\s+)?error(\s+[^:\s]+)?\s*:")).Distinct().ToList();

    public DotnetResult EnsureSuccess() =>
        Succeeded ? this : throw new InvalidOperationException($"`{CommandLine}` failed ({ExitCode}):\n{Tail(Output)}");

    private static string Tail(string s) => s.Length > 6000 ? "..." + s[^6000..] : s;
}

/// <summary>Runs the dotnet CLI for real builds of temporary projects (no shell; arguments as a list).</summary>
public static class DotnetCli
{
    public static DotnetResult Run(string workingDirectory, IEnumerable<string> args, IDictionary<string, string?>? environment = null,
                                   TimeSpan? timeout = null)
    {
        var argList = args.ToList();
        var psi = new ProcessStartInfo(DotnetPath())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in argList)
            psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        // No build nodes left behind by the tests; each build starts its own.
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["MSBuildTerminalLogger"] = "off";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                psi.Environment.Remove(key);
            else
                psi.Environment[key] = value;
        }
        var line = "dotnet " + string.Join(' ', argList);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start dotnet");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(4)))
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit();
            return new DotnetResult(line, -1, "timed out\n" + stdout.Result + stderr.Result);
        }
        p.WaitForExit();
        return new DotnetResult(line, p.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The dotnet that runs these tests (the SDK's host), so builds use the same SDK.</summary>
    public static string DotnetPath()
    {
        var fromHost = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromHost) && File.Exists(fromHost))
            return fromHost;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "dotnet");
            if (File.Exists(candidate))
                return candidate;
        }
        return "/usr/share/dotnet/dotnet";
    }

    /// <summary>dotnet build with a detailed-enough log to see task messages and skipped targets.</summary>
    public static DotnetResult Build(string projectDirectory, params string[] extra) =>
        Run(projectDirectory, ["build", "-nologo", "-v:n", "-nodeReuse:false", .. extra]);
}
