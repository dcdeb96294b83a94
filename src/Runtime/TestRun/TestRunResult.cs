namespace Ebpf;

/// <summary>The outcome of <see cref="BpfProgram.TestRun"/>.</summary>
/// <param name="ReturnValue">The program's return value: the verdict (XDP_PASS = 2, XDP_TX = 3, TC_ACT_OK = 0, ...).</param>
/// <param name="Packet">The packet as the program left it (rewritten, grown or shrunk), exactly the size the kernel reported.</param>
/// <param name="Context">The output context (xdp_md / __sk_buff) when one was passed in, otherwise empty.</param>
/// <param name="Duration">The average time of one run, as the kernel measured it.</param>
/// <param name="Repeat">How many times the program ran.</param>
public sealed record TestRunResult(uint ReturnValue, byte[] Packet, byte[] Context, TimeSpan Duration, int Repeat)
{
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
