namespace Ebpf.Events;

/// <summary>
/// The one-consumer-at-a-time rule both event readers keep: a reader owns its consumer positions, so a second Poll,
/// Consume or ReadAllAsync while one runs is refused; and disposing wakes a blocked wait and then waits for the
/// consumer in progress to leave, so the rings are never unmapped under it.
/// </summary>
internal sealed class SingleConsumer
{
    private readonly object owner;
    private readonly string what;
    private int busy; // 1 while a consume or wait is running
    private volatile bool closed;

    /// <param name="owner">The reader, named in ObjectDisposedException.</param>
    /// <param name="what">"ring buffer 'events'": how the refusal names the map.</param>
    public SingleConsumer(object owner, string what)
    {
        this.owner = owner;
        this.what = what;
    }

    public bool IsClosed => closed;

    public void ThrowIfClosed() => ObjectDisposedException.ThrowIf(closed, owner);

    public void Enter()
    {
        ThrowIfClosed();
        if (Interlocked.Exchange(ref busy, 1) != 0)
            throw new InvalidOperationException($"{what} is already being consumed; use one consumer (Poll, Consume or one ReadAllAsync) at a time");
    }

    public void Exit() => Volatile.Write(ref busy, 0);

    /// <summary>False when already closed. Otherwise wakes <paramref name="epoll"/>'s waiter and returns once no
    /// consumer is running (and none can start): the caller may then release the rings.</summary>
    public bool Close(Epoll epoll)
    {
        if (closed)
            return false;
        closed = true;
        epoll.Wake();
        var spin = new SpinWait();
        while (Interlocked.CompareExchange(ref busy, 1, 0) != 0)
            spin.SpinOnce();
        return true;
    }
}
