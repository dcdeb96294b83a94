using System.Runtime.InteropServices;

namespace Ebpf.Examples.Tcptop.Commands;

/// <summary>
/// What every command shares: the root check, and a token cancelled by Ctrl+C, SIGTERM (a DaemonSet's pod stopping)
/// or SIGHUP, so the command falls out of its loop and detaches instead of being killed mid-way.
/// </summary>
internal sealed class Session : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly PosixSignalRegistration[] signals;

    public Session()
    {
        if (!Environment.IsPrivilegedProcess)
            throw new ToolException("tcptop loads BPF programs and must run as root (try: sudo tcptop ...)");
        signals =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop),
        ];
    }

    public CancellationToken Token => stop.Token;

    private void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        stop.Cancel();
    }

    public void Dispose()
    {
        foreach (var s in signals)
            s.Dispose();
        stop.Dispose();
    }
}
