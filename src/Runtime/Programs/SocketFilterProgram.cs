using System.Net.Sockets;
using System.Runtime.InteropServices;
using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;

namespace Ebpf.Programs;

/// <summary>A SOCKET_FILTER program: decides which packets one socket receives (and how much of each).</summary>
public sealed class SocketFilterProgram : BpfProgram
{
    private const int SOL_SOCKET = 1, SO_ATTACH_BPF = 50, SO_DETACH_BPF = 27;

    internal SocketFilterProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }

    /// <summary>
    /// Attaches to <paramref name="socket"/> with SO_ATTACH_BPF. The kernel has no bpf_link for socket filters:
    /// the filter lives as long as the socket; disposing the link detaches it (SO_DETACH_BPF).
    /// </summary>
    public BpfLink AttachToSocket(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var sockFd = (int)socket.Handle;
        var progFd = Handle.Value;
        if (Libc.SetSockOpt(sockFd, SOL_SOCKET, SO_ATTACH_BPF, ref progFd, sizeof(int)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new BpfAttachException($"cannot attach {Describe()} to the socket (SO_ATTACH_BPF): {Errno.Describe(errno)}", errno);
        }
        return new BpfLink(this, $"socket filter '{Name}' on socket fd {sockFd}", null, () =>
        {
            if (socket.SafeHandle.IsClosed)
                return; // the filter went with the socket
            int unused = 0;
            Libc.SetSockOpt((int)socket.Handle, SOL_SOCKET, SO_DETACH_BPF, ref unused, sizeof(int));
        });
    }
}
