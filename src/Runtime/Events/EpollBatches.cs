using System.Runtime.CompilerServices;

namespace Ebpf.Events;

/// <summary>
/// The read loop both event readers share: drain what is ready into a batch, yield it, and when nothing is
/// ready block in epoll on a thread-pool thread; cancellation wakes the epoll at once and ends the sequence
/// with an <see cref="OperationCanceledException"/>.
/// </summary>
internal static class EpollBatches
{
    public static async IAsyncEnumerable<TItem> ReadAllAsync<TItem>(
        Epoll epoll, Action<List<TItem>> drain, Action waitForData,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = new List<TItem>(1024);
        using var registration = cancellationToken.Register(static s => ((Epoll)s!).Wake(), epoll);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            batch.Clear();
            drain(batch);
            if (batch.Count == 0)
            {
                await Task.Run(waitForData, cancellationToken).ConfigureAwait(false);
                continue;
            }
            foreach (var item in batch)
                yield return item;
        }
    }
}
