using System.Diagnostics;
using System.Text.RegularExpressions;
using Ebpf.Build.Tasks.Tests;
using Ebpf.TestKit;

namespace Ebpf.Templates.Tests;

/// <summary>
/// ebpf-trace from the packed template: builds outside the repository, its own tests pass, and its app reports exactly
/// the execs this test makes of a program with a name of its own, with their pids, parent and path.
/// </summary>
[Collection(TemplateRuns.Name)]
public sealed class TraceTemplateTests(TemplatePackages packages)
{
    private const int Execs = 5;

    [Fact]
    public void A_new_trace_project_builds_passes_its_tests_and_reports_each_exec()
    {
        Kernel.RequireRoot();
        using var instance = packages.Instantiate("ebpf-trace", "Acme.ExecTrace");
        instance.AssertReferencesPackagesAt(packages.Version);
        instance.Build();
        Assert.True(instance.Test() >= 1, "the template's test project has tests");

        // A copy of true under a name no other process has (the comm is the file name, at most 15 characters).
        var name = RunPrefix.NewName("x");
        var probe = Path.Combine(instance.Directory, name);
        File.Copy("/bin/true", probe);   // with its mode: executable

        using var app = RunningApp.Start(DotnetCli.DotnetPath(), instance.AppDll, "--comm", name);
        app.WaitForLine(l => l.StartsWith("TIME ", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "its header");
        var pids = new List<int>();
        for (var i = 0; i < Execs; i++)
        {
            using var p = Process.Start(probe);
            pids.Add(p.Id);
            p.WaitForExit();
        }
        app.WaitForLine(_ => EventLines(app.Lines, name).Count == Execs, TimeSpan.FromSeconds(30), $"{Execs} execs of {name}");
        Assert.Equal(0, app.Terminate(TimeSpan.FromSeconds(30)));

        // TIME PID PPID UID COMM FILENAME, one line per exec of the probe, in order.
        var events = EventLines(app.Lines, name).Select(l => Regex.Split(l.Trim(), @"\s+")).ToList();
        Assert.Equal(pids.Select(p => p.ToString()), events.Select(e => e[1]));
        Assert.All(events, e => Assert.Equal([Environment.ProcessId.ToString(), "0", name, probe], e[2..]));
        Assert.Matches($@"^\d+ execs traced, {Execs} shown, 0 dropped", app.Lines[^1]);
    }

    private static List<string> EventLines(IEnumerable<string> lines, string comm) =>
        lines.Where(l => Regex.IsMatch(l, $@"^\d\d:\d\d:\d\d\.\d{{3}}\s+\d+\s+\d+\s+\d+\s+{Regex.Escape(comm)}\s")).ToList();
}
