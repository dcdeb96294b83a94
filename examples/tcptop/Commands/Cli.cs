using System.CommandLine;

namespace Ebpf.Examples.Tcptop.Commands;

/// <summary>`tcptop COMMAND ...` (System.CommandLine through the examples' AppCli): the verbs, and which failures become one-line errors.</summary>
internal static class Cli
{
    public static int Run(string[] args) => AppCli.Run(Root(), args, "tcptop", Explain);

    /// <summary>Every verb and option of the app.</summary>
    public static RootCommand Root() =>
        AppCli.Root("tcptop: TCP traffic per process, cgroup and pod, without kprobes (tracepoints sock_send_length/sock_recv_length, Linux 6.3+)",
            TopCommand.Create(),
            ExportCommand.Create(),
            BenchCommand.Create());

    /// <summary>The message for a failure the user can act on; null for a bug.</summary>
    private static string? Explain(Exception e) => e switch
    {
        UnauthorizedAccessException => $"{e.Message} (run as root: tcptop loads BPF programs)",
        ToolException or UsageException or IOException => e.Message,
        _ => null,
    };
}
