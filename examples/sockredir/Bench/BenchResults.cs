namespace Ebpf.Examples.Sockredir.Bench;

/// <summary>One mode's figures for one message size.</summary>
internal sealed record ModeFigures(
    double ThroughputGbps,          // iperf3, Nagle on
    double ThroughputNoDelayGbps,   // iperf3 -N
    LatencyFigures Latency,         // request/response, Nagle on
    LatencyFigures LatencyNoDelay); // request/response, TCP_NODELAY

/// <summary>One message size: plain loopback TCP and redirected, measured back to back.</summary>
internal sealed record SizeResult(int Size, ModeFigures Plain, ModeFigures Redirected, ulong RedirectedBytes, ulong PassedMessages)
{
    /// <summary>False when the redirected runs moved no byte through the program: their figures would be plain TCP's.</summary>
    public bool WasRedirected => RedirectedBytes > 0;
}

/// <summary>A whole run: what was measured, where, and how.</summary>
internal sealed record BenchReport(
    string Command,
    DateTime StartedUtc,
    string Kernel,
    int Cpus,
    string Placement,
    double SecondsPerThroughputRun,
    double SecondsPerLatencyRun,
    string Loader,
    IReadOnlyList<SizeResult> Sizes);
