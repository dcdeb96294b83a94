using Ebpf.Examples.Sockredir.Redirector;

namespace Ebpf.Examples.Sockredir.Commands;

/// <summary>The program settings `run` and `bench` take from the command line.</summary>
internal static class RedirectorArgs
{
    public static RedirectorOptions From(Args a) => new()
    {
        DemoteAfterMessages = a.Option("--demote-after") is null ? null : (uint)a.Int("--demote-after", 0),
        DemoteBelowBytes = a.Option("--demote-below") is null ? null : (uint)a.Int("--demote-below", 0),
        RedirectMaxBytes = a.Option("--redirect-max") is null ? null : (uint)a.Int("--redirect-max", 0),
    };
}
