using System.CommandLine;

namespace Ebpf.Examples.XdpProxy.Commands;

/// <summary>`xdp-proxy COMMAND ...`: the verbs, and which failures become one-line errors.</summary>
internal static class Cli
{
    public const string App = "xdp-proxy";

    public static int Run(string[] args) =>
        AppCli.Run(Root(), args, App, e => e is ToolException or ArgumentException or FormatException or UsageException or BpfException or IOException
            ? e.Message : null);

    /// <summary>Every verb and option of the app.</summary>
    public static RootCommand Root() =>
        AppCli.Root("A layer-4 TCP load balancer in XDP, with its lab and benchmark (Ebpf.NET example).",
            LabCommand.Create(),
            RunCommand.Create(),
            BackendCommand.Create(),
            StatsCommand.Create(),
            BenchCommand.Create());
}
