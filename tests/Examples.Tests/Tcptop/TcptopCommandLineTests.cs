using TcptopCli = Ebpf.Examples.Tcptop.Commands.Cli;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>tcptop's command line, parsed only: what docs/tcptop.md shows is accepted, and bad values are errors that name their option.</summary>
public sealed class TcptopCommandLineTests
{
    public static TheoryData<string> Documented =>
    [
        "top",
        "top --by cgroup --interval 2s -n 10",
        "top --by connection -p 1234 --once",
        "top --cgroup system.slice --interval 500ms --json",
        "top --once --json --max-processes 1000 --max-cgroups 100 --max-connections 100 --kernel-btf /tmp/vmlinux",
        "export",
        "export --listen :19435 --labels comm,cgroup,pid --max-series 100 --grace 30s --bpf-stats",
        "export --listen 127.0.0.1:9999 --grace 1m",
        "help",
    ];

    [Theory]
    [MemberData(nameof(Documented))]
    public void EveryDocumentedCommandLineParses(string line)
    {
        var r = TcptopCli.Root().Parse(line);
        Assert.True(r.Errors.Count == 0, string.Join("; ", r.Errors.Select(e => e.Message)));
    }

    [Theory]
    [InlineData("top --interval 0", "--interval")]
    [InlineData("top --interval soon", "--interval")]
    [InlineData("top -n 0", "--rows")]
    [InlineData("top --by pod", "--by")]
    [InlineData("export --max-series 1,5", "--max-series")]
    [InlineData("export --grace -3s", "--grace")]
    public void BadValuesAreErrorsNamingTheOption(string line, string option)
    {
        var r = TcptopCli.Root().Parse(line);
        Assert.NotEmpty(r.Errors);
        Assert.Contains(r.Errors, e => e.Message.Contains(option, StringComparison.Ordinal) || e.Message.Contains(line.Split(' ')[^1], StringComparison.Ordinal));
    }
}
