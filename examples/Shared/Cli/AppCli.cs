using System.CommandLine;
using System.CommandLine.Invocation;

namespace Ebpf.Examples.Cli;

/// <summary>
/// Parses and runs an app's <see cref="RootCommand"/>, and turns the failures a user can act on into one line on stderr,
/// `app: message`, with exit code 1. Signals stay the commands' own business (`run` detaches and cleans up on SIGINT
/// and SIGTERM), so System.CommandLine's termination handling is off.
/// </summary>
public static class AppCli
{
    /// <summary>An app's root command: its verbs, and `help` as well as `--help`, as the apps always accepted.</summary>
    public static RootCommand Root(string description, params Command[] verbs)
    {
        var root = new RootCommand(description);
        foreach (var verb in verbs)
            root.Subcommands.Add(verb);
        var help = new Command("help", "show this help") { Hidden = true };
        help.SetAction(_ => root.Parse(["--help"]).Invoke());
        root.Subcommands.Add(help);
        return root;
    }

    public static int Run(RootCommand root, string[] args, string app, Func<Exception, string?> explain)
    {
        Terminal.Configure();
        var parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction)
        {
            // One line per error, named after the app, and where to look; not the whole help text.
            foreach (var error in parsed.Errors)
                Console.Error.WriteLine($"{app}: {error.Message}");
            Console.Error.WriteLine($"{app}: see `{string.Join(' ', [app, .. CommandPath(parsed.CommandResult.Command)])} --help`");
            return 1;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
        catch (Exception e) when (explain(e) is { } message)
        {
            return Fail(app, message);
        }
        catch (Exception e)
        {
            // Caught so that the commands' finally blocks run (`run` removes what it made there): the runtime does not
            // promise to run them for an exception that nothing catches.
            return Fail(app, $"unexpected error: {e}");
        }
    }

    private static IEnumerable<string> CommandPath(Command command) =>
        command is RootCommand ? [] : [.. command.Parents.OfType<Command>().SelectMany(CommandPath), command.Name];

    public static int Fail(string app, string message)
    {
        Console.Error.WriteLine($"{app}: {message}");
        return 1;
    }
}

/// <summary>A usage error found after parsing (options that exclude each other, a value only the command can judge).</summary>
public sealed class UsageException(string message) : Exception(message + " (see --help)");
