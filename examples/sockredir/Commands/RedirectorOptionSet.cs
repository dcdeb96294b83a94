using System.CommandLine;
using Ebpf.Examples.Sockredir.Redirector;

namespace Ebpf.Examples.Sockredir.Commands;

/// <summary>The kernel program's settings, as options of `run` and `bench`.</summary>
internal sealed class RedirectorOptionSet
{
    private readonly Option<uint?> demoteAfter = InvariantOptions.OptionalNumber<uint>("--demote-after",
        "a socket whose last N messages (default 64) were smaller than --demote-below and found the reader behind goes back to TCP, " +
        "where small writes move faster; 0: never", 0, uint.MaxValue);
    private readonly Option<uint?> demoteBelow = InvariantOptions.OptionalNumber<uint>("--demote-below",
        "what \"small\" means to --demote-after, in bytes (default 2048)", 0, uint.MaxValue);
    private readonly Option<uint?> redirectMax = InvariantOptions.OptionalNumber<uint>("--redirect-max",
        "a message larger than this many bytes goes to TCP, and so does every later message of its socket (experiments; default: none)", 0, uint.MaxValue);

    public void AddTo(Command command)
    {
        command.Options.Add(demoteAfter);
        command.Options.Add(demoteBelow);
        command.Options.Add(redirectMax);
    }

    public RedirectorOptions From(ParseResult r) => new()
    {
        DemoteAfterMessages = r.GetValue(demoteAfter),
        DemoteBelowBytes = r.GetValue(demoteBelow),
        RedirectMaxBytes = r.GetValue(redirectMax),
    };
}
