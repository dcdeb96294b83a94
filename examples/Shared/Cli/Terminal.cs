using Spectre.Console;

namespace Ebpf.Examples.Cli;

/// <summary>
/// How the apps draw, with Spectre.Console: tables everywhere; live views and progress bars only on a terminal. Output
/// to a pipe, a file or a test gets plain lines and whole tables, without cursor movement or colour codes, so a log
/// stays readable and a script can read the figures.
/// </summary>
public static class Terminal
{
    /// <summary>Columns a table may use when stdout is not a terminal.</summary>
    public const int RedirectedWidth = 240;

    /// <summary>True when stdout is a terminal Spectre can redraw (live views, progress bars).</summary>
    public static bool IsLive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>
    /// Called once at start. A redirected stdout has no width, and Spectre's fallback of 80 columns would wrap the
    /// cells of a wide table in a log; <see cref="RedirectedWidth"/> keeps each row on one line.
    /// </summary>
    public static void Configure()
    {
        if (Console.IsOutputRedirected)
            AnsiConsole.Profile.Width = RedirectedWidth;
    }

    /// <summary>
    /// Runs <paramref name="work"/>, which calls its argument once as it starts each of <paramref name="steps"/>
    /// steps, naming it. On a terminal a progress bar shows the steps done and the current one; otherwise each step
    /// is one line on stderr ("title [3/8] what"), so stdout keeps only the results.
    /// </summary>
    public static T WithProgress<T>(string title, int steps, Func<Action<string>, T> work)
    {
        if (!IsLive)
        {
            var n = 0;
            return work(what => Console.Error.WriteLine($"{title} [{++n}/{steps}] {what}"));
        }
        return AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: steps);
                var started = 0;
                var result = work(what =>
                {
                    if (started++ > 0)
                        task.Increment(1); // the step before this one is done
                    task.Description = Markup.Escape($"{title}: {what}");
                });
                task.Value = task.MaxValue;
                return result;
            });
    }

    /// <summary>A right-aligned column, for figures.</summary>
    public static TableColumn Figure(string header) => new TableColumn(header).RightAligned();
}
