using System.CommandLine;

namespace Ebpf.Examples.Sockredir.Commands;

/// <summary>`sockredir COMMAND ...`: the verbs, and which failures become one-line errors.</summary>
internal static class Cli
{
    public static int Run(string[] args) => AppCli.Run(Root(), args, "sockredir", Explain);

    /// <summary>Every verb and option of the app.</summary>
    public static RootCommand Root() =>
        AppCli.Root("Same-host TCP socket redirection with sockops + sk_msg (Ebpf.NET example).",
            RunCommand.Create(),
            BenchCommand.Create(),
            PingPongCommand.Create());

    /// <summary>The message for a failure the user can act on; null for a bug.</summary>
    private static string? Explain(Exception e) => e switch
    {
        UnauthorizedAccessException => $"{e.Message} (run as root: the program loads BPF programs and manages cgroups)",
        ToolException or UsageException or IOException => e.Message,
        _ => null,
    };
}
