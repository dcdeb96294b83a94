using System.CommandLine;

namespace Ebpf.Examples.Tcptop.Commands;

/// <summary>`tcptop COMMAND ...` (System.CommandLine); known failures become one line on stderr and exit code 1.</summary>
internal static class CommandLine
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("tcptop: TCP traffic per process, cgroup and pod, without kprobes (tracepoints sock_send_length/sock_recv_length, Linux 6.3+)")
        {
            TopCommand.Create(),
            ExportCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }

    /// <summary>Runs a command body; its finally blocks (detach) run because every exception is caught here.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (ToolException e)
        {
            return Fail(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(e is UnauthorizedAccessException ? $"{e.Message} (run as root)" : e.Message);
        }
        catch (Exception e)
        {
            return Fail($"unexpected error: {e}");
        }
    }

    public static int Fail(string message)
    {
        Console.Error.WriteLine($"tcptop: {message}");
        return 1;
    }
}
