using System.CommandLine;
using System.Globalization;
using SockredirCli = Ebpf.Examples.Sockredir.Commands.Cli;
using XdpProxyCli = Ebpf.Examples.XdpProxy.Commands.Cli;

namespace Ebpf.Examples.Tests;

/// <summary>
/// The two apps' command lines (System.CommandLine), parsed only: the verbs and options the docs show are accepted,
/// numbers read the same in every culture, and a bad value is an error that names its option.
/// </summary>
public sealed class CommandLineTests
{
    public static TheoryData<string, string> Documented => new()
    {
        { "sockredir", "run" },
        { "sockredir", "run --cgroup /sys/fs/cgroup/unified/myapp --seconds 10" },
        { "sockredir", "run --parent /sys/fs/cgroup/unified/apps --demote-after 0 --demote-below 4096 --redirect-max 1" },
        { "sockredir", "bench --quick" },
        { "sockredir", "bench --sizes 1,64,256 --seconds 1.5 --rounds 5 --no-pin --out /tmp/x --demote-after 0" },
        { "sockredir", "pingpong serve --port 20000 --size 64 --nodelay" },
        { "sockredir", "pingpong run --port 20000 --size 64 --milliseconds 500" },
        { "sockredir", "help" },
        { "xdp-proxy", "lab up --prefix xp" },
        { "xdp-proxy", "lab down" },
        { "xdp-proxy", "run --netns xdpp-lb --iface eth0 --vip 10.211.0.100 --port 80 --backend 10.211.0.21 --backend 10.211.0.22:8080" },
        { "xdp-proxy", "run --iface eth0 --vip 10.0.0.1 --port 80 --backend 10.0.0.2 --mode generic --snat 10.0.0.3 --nat-ports 20000-20999" },
        { "xdp-proxy", "backend add 10.211.0.23 --iface eth0 --netns xdpp-lb" },
        { "xdp-proxy", "backend remove 10.211.0.22:80" },
        { "xdp-proxy", "stats --json" },
        { "xdp-proxy", "bench --prefix xp --duration 5 --connections 20 --threads 1 --rounds 3 --out /tmp/x" },
        { "xdp-proxy", "help" },
    };

    [Theory]
    [MemberData(nameof(Documented))]
    public void EveryDocumentedCommandLineParses(string app, string line)
    {
        var r = Root(app).Parse(line);
        Assert.True(r.Errors.Count == 0, string.Join("; ", r.Errors.Select(e => e.Message)));
    }

    [Theory]
    [InlineData("de-DE")]
    [InlineData("fr-FR")]
    [InlineData("ar-SA")]
    public void NumbersReadTheSameInEveryCulture(string culture)
    {
        var saved = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(culture);
        try
        {
            var bench = Root("sockredir").Parse("bench --seconds 1.5 --sizes 1000,65536 --rounds 3");
            Assert.Empty(bench.Errors);
            Assert.Equal(1.5, Value<double?>(bench, "--seconds"));
            Assert.Equal([1000, 65536], Value<int[]?>(bench, "--sizes")!);
            Assert.Equal(3, Value<int>(bench, "--rounds"));

            var comma = Root("sockredir").Parse("bench --seconds 1,5");
            Assert.Contains(comma.Errors, e => e.Message.Contains("--seconds", StringComparison.Ordinal) && e.Message.Contains("'1,5'", StringComparison.Ordinal));

            var xdp = Root("xdp-proxy").Parse("bench --duration 12 --connections 1000");
            Assert.Empty(xdp.Errors);
            Assert.Equal(12, Value<int>(xdp, "--duration"));
            Assert.Equal(1000, Value<int>(xdp, "--connections"));
            Assert.NotEmpty(Root("xdp-proxy").Parse("bench --connections 1.000").Errors);
        }
        finally
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = saved;
        }
    }

    [Theory]
    [InlineData("sockredir", "run --seconds -1", "--seconds")]
    [InlineData("sockredir", "bench --sizes 1,0", "--sizes")]
    [InlineData("sockredir", "bench --rounds 0", "--rounds")]
    [InlineData("sockredir", "bench --seconds 0.5", "--seconds")] // iperf3 -t 0 would never end
    [InlineData("sockredir", "pingpong run --port 70000 --size 1", "--port")]
    [InlineData("sockredir", "run --demote-after x", "--demote-after")]
    [InlineData("xdp-proxy", "run --iface eth0 --vip 10.0.0.1 --port 0 --backend 10.0.0.2", "--port")]
    [InlineData("xdp-proxy", "run --iface eth0 --vip ::1 --port 80 --backend 10.0.0.2", "--vip")]
    [InlineData("xdp-proxy", "run --iface eth0 --vip 10.0.0.1 --port 80 --backend 10.0.0.2 --mode offload", "--mode")]
    [InlineData("xdp-proxy", "run --iface eth0 --vip 10.0.0.1 --port 80 --backend 10.0.0.2 --nat-ports 3000-2000", "--nat-ports")]
    [InlineData("xdp-proxy", "run --iface eth0 --vip 10.0.0.1 --port 80", "--backend")]
    [InlineData("xdp-proxy", "bench --duration 0", "--duration")]
    public void ABadValueIsAnErrorThatNamesItsOption(string app, string line, string option)
    {
        var errors = Root(app).Parse(line).Errors;
        Assert.Contains(errors, e => e.Message.Contains(option, StringComparison.Ordinal));
    }

    private static RootCommand Root(string app) => app == "sockredir" ? SockredirCli.Root() : XdpProxyCli.Root();

    private static T? Value<T>(ParseResult r, string option) => r.GetValue<T>(option);
}
