namespace Ebpf.Examples.XdpProxy.DataPlane;

public enum XdpMode { Native, Generic }

/// <summary>The kernel's enum xdp_action.</summary>
public enum XdpVerdict { Aborted = 0, Drop = 1, Pass = 2, Tx = 3, Redirect = 4 }

public sealed record XdpTestResult(XdpVerdict Verdict, byte[] Frame);

/// <summary>
/// Everything the control plane asks of the kernel, in one small interface, so the loader behind it
/// (the generated XdpProxySkel over Ebpf.Runtime; bpftool while the toolchain was being written) is
/// one class to swap. Slots and table entries mean what they mean in xdp-proxy.bpf.c.
/// </summary>
internal interface IDataPlane : IDisposable
{
    /// <summary>MAX_BACKENDS of the program.</summary>
    int MaxBackends { get; }

    /// <summary>
    /// Attaches xdp_proxy to <paramref name="iface"/> in <paramref name="netns"/> (null: the caller's
    /// namespace). In native mode on a veth it also loads xdp_pass on the peer, without which the
    /// kernel drops every XDP_TX frame. Detached again on Dispose, and by the kernel if the process dies.
    /// </summary>
    void Attach(string iface, string? netns, XdpMode mode);

    void WriteConfig(BalancerConfig config);
    void WriteBackend(int slot, BackendEntry entry);

    /// <summary>Writes the given Maglev entries (index -> backend slot + 1, 0 = none); untouched entries keep their value.</summary>
    void WriteMaglev(IReadOnlyList<KeyValuePair<int, uint>> changes);

    /// <summary>The counters of one backend slot, summed over CPUs.</summary>
    BackendCounters ReadCounters(int slot);

    /// <summary>One of the program's global counters, summed over CPUs.</summary>
    ulong ReadStat(ProgramStat stat);

    /// <summary>
    /// Runs xdp_proxy once on <paramref name="frame"/> (BPF_PROG_TEST_RUN) against the live maps:
    /// the verdict and the frame as the program left it. For tests; needs no attached interface.
    /// </summary>
    XdpTestResult TestRun(byte[] frame);

    /// <summary>True when attachments are BPF links, which the kernel removes when the process dies (even by SIGKILL).</summary>
    bool DetachesWhenKilled { get; }

    /// <summary>CPU time spent in xdp_proxy so far (kernel.bpf_stats_enabled must be 1; zero otherwise).</summary>
    TimeSpan ProgramRunTime { get; }
}
