using System.Text.RegularExpressions;
using Ebpf.TestKit;

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
        var r = HostCommand.Run(DotnetPath(), argList, timeout ?? TimeSpan.FromMinutes(4), workingDirectory,
                                [.. QuietBuilds, .. environment ?? new Dictionary<string, string?>()]);
        return new DotnetResult("dotnet " + string.Join(' ', argList), r.ExitCode, r.StandardOutput + r.StandardError);
    }

    /// <summary>No banners or telemetry, a plain log, and no build nodes left behind by the tests (each build starts its own).</summary>
    private static readonly KeyValuePair<string, string?>[] QuietBuilds =
    [
        new("DOTNET_CLI_TELEMETRY_OPTOUT", "1"),
        new("DOTNET_NOLOGO", "1"),
        new("DOTNET_SKIP_FIRST_TIME_EXPERIENCE", "1"),
        new("MSBUILDDISABLENODEREUSE", "1"),
        new("MSBuildTerminalLogger", "off"),
    ];

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
