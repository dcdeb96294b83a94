using System.Runtime.InteropServices;
using Ebpf.Internal;

namespace Ebpf.Events;

/// <summary>
/// An epoll set over the descriptors an event reader waits on, plus an eventfd that <see cref="Wake"/> signals so
/// a blocked wait returns at once when the reader is cancelled or disposed. Level-triggered: a descriptor that
/// still has data keeps the wait from blocking, so no wake-up is lost between "ring empty" and "wait".
/// </summary>
internal sealed unsafe class Epoll : IDisposable
{
    private const int EPOLL_CLOEXEC = 0x80000, EPOLL_CTL_ADD = 1, EPOLLIN = 1, EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;
    public const ulong WakeToken = ulong.MaxValue;

    private readonly BpfFd epoll;
    private readonly BpfFd wake;

    // struct epoll_event { u32 events; u64 data; } is packed (12 bytes) on x86_64 only; elsewhere the data member
    // is 8-byte aligned (16 bytes). Events are therefore written and read at the architecture's offsets.
    private static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    public Epoll()
    {
        var fd = Libc.EpollCreate1(EPOLL_CLOEXEC);
        if (fd < 0)
            throw new IOException($"epoll_create1 failed: {Errno.Describe(Marshal.GetLastPInvokeError())}");
        epoll = new BpfFd(fd);
        var efd = Libc.EventFd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (efd < 0)
            throw new IOException($"eventfd failed: {Errno.Describe(Marshal.GetLastPInvokeError())}");
        wake = new BpfFd(efd);
        Add(wake, WakeToken);
    }

    /// <summary>Watches <paramref name="fd"/> for readability; waits report <paramref name="token"/> for it.</summary>
    public void Add(SafeHandle fd, ulong token)
    {
        var ev = stackalloc byte[16];
        *(uint*)ev = EPOLLIN;
        *(ulong*)(ev + DataOffset) = token;
        if (Libc.EpollCtl(epoll.Value, EPOLL_CTL_ADD, (int)fd.DangerousGetHandle(), ev) != 0)
            throw new IOException($"epoll_ctl(ADD) failed: {Errno.Describe(Marshal.GetLastPInvokeError())}");
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> (-1: forever) and writes the ready tokens into <paramref name="ready"/>.
    /// Returns how many; 0 on timeout. A pending <see cref="Wake"/> is reported (and consumed) as <see cref="WakeToken"/>.
    /// </summary>
    public int Wait(Span<ulong> ready, int timeoutMs)
    {
        var max = Math.Min(ready.Length, 64);
        var events = stackalloc byte[max * EventSize];
        int n;
        do
        {
            n = Libc.EpollWait(epoll.Value, events, max, timeoutMs);
        } while (n < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);
        if (n < 0)
            throw new IOException($"epoll_wait failed: {Errno.Describe(Marshal.GetLastPInvokeError())}");
        for (var i = 0; i < n; i++)
        {
            ready[i] = *(ulong*)(events + i * EventSize + DataOffset);
            if (ready[i] == WakeToken)
            {
                ulong value;
                _ = Libc.Read(wake.Value, &value, 8); // reset the eventfd; EAGAIN if another waiter took it
            }
        }
        return n;
    }

    /// <summary>Makes a current or the next <see cref="Wait"/> return.</summary>
    public void Wake()
    {
        if (wake.IsClosed)
            return;
        ulong one = 1;
        _ = Libc.Write(wake.Value, &one, 8);
    }

    public void Dispose()
    {
        wake.Dispose();
        epoll.Dispose();
    }
}
