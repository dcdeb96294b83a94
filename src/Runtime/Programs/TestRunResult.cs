namespace Ebpf.Programs;

/// <summary>The outcome of <see cref="BpfProgram.TestRun"/>.</summary>
/// <param name="ReturnValue">The program's return value: the verdict (XDP_PASS = 2, XDP_TX = 3, TC_ACT_OK = 0, ...).</param>
/// <param name="Packet">The packet as the program left it (rewritten, grown or shrunk), exactly the size the kernel reported.</param>
/// <param name="Context">The output context (xdp_md / __sk_buff) when one was passed in, otherwise empty.</param>
/// <param name="DurationNanoseconds">The average time of one run in nanoseconds, exactly as the kernel measured it
/// (short programs average well under 100 ns, below a <see cref="TimeSpan"/> tick).</param>
/// <param name="Repeat">How many times the program ran.</param>
public sealed record TestRunResult(uint ReturnValue, byte[] Packet, byte[] Context, uint DurationNanoseconds, int Repeat)
{
    /// <summary>
    /// The average time of one run as a <see cref="TimeSpan"/>, rounded down to whole 100 ns ticks (so 0 for
    /// averages under 100 ns); <see cref="DurationNanoseconds"/> keeps the kernel's value.
    /// </summary>
    public TimeSpan Duration => TimeSpan.FromTicks(DurationNanoseconds / 100);

    /// <summary>The kernel's time for all <see cref="Repeat"/> runs together, in nanoseconds.</summary>
    public ulong TotalNanoseconds => (ulong)DurationNanoseconds * (ulong)Repeat;

    /// <summary>The verdict read as an XDP action.</summary>
    public XdpAction XdpAction => (XdpAction)ReturnValue;
}

/// <summary>XDP verdicts (enum xdp_action).</summary>
public enum XdpAction : uint
{
    Aborted = 0,
    Drop = 1,
    Pass = 2,
    Tx = 3,
    Redirect = 4,
}
