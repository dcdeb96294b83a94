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
}
