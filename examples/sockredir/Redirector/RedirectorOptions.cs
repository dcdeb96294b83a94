namespace Ebpf.Examples.Sockredir.Redirector;

/// <summary>Settings of the kernel program, applied before it is loaded.</summary>
internal sealed record RedirectorOptions
{
    /// <summary>
    /// pass_pull_max_bytes of sockredir.bpf.c: passed messages up to this size are made contiguous so Nagle does
    /// not hold their tail (docs/sockredir.md). null keeps the program's default (128 KiB); 0 turns the fix off,
    /// which only tests and experiments want.
    /// </summary>
    public uint? PassPullMaxBytes { get; init; }

    /// <summary>
    /// redirect_max_bytes: a message larger than this is passed to TCP, and its socket with it from then on. null or 0:
    /// redirect every size. For tests and experiments.
    /// </summary>
    public uint? RedirectMaxBytes { get; init; }

    /// <summary>
    /// demote_after_msgs: a socket whose last this many messages were small and found the peer's queue not drained is
    /// handed back to TCP (docs/sockredir.md, "Small writes"). null keeps the program's default (64); 0: never.
    /// </summary>
    public uint? DemoteAfterMessages { get; init; }

    /// <summary>demote_below_bytes: what "small" means to the rule above. null keeps the default (2048).</summary>
    public uint? DemoteBelowBytes { get; init; }
}
