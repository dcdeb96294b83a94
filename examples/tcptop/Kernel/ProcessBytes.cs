using Ebpf.Maps;

namespace Ebpf.Examples.Tcptop.Kernel;

/// <summary>
/// Each process's cumulative bytes, from the two places the kernel keeps them (tcptop.bpf.c): its procs entry, and
/// while it lives, its slot in the `slots` array (index tgid modulo the array's size) as long as the slot's tgid and
/// start time are the process's. An exited entry already holds its slot's bytes (the exit program frees the slot,
/// adds its bytes to the entry, and marks the entry last), so it is read alone. A read that races an exit can see the
/// slot already freed and its bytes not yet in the entry: a lower figure, which is ignored here, so the totals reported never go backwards; and
/// since an exited entry is never read with a slot, no byte is taken twice.
/// </summary>
internal sealed class ProcessBytes(ArrayMap<TcptopSkel.ProcSlot> slots)
{
    private readonly Dictionary<ProcessIdentity, (ulong Sent, ulong Received)> last = [];

    /// <summary>The process's totals as of this read; <paramref name="entry"/> is its procs value from the snapshot.</summary>
    public (ulong Sent, ulong Received) Read(ProcessIdentity id, in TcptopSkel.ProcStats entry)
    {
        var sent = entry.SentBytes;
        var received = entry.ReceivedBytes;
        if (entry.ExitNs == 0 && slots.TryLookup((uint)id.Pid & (slots.MaxEntries - 1), out var slot)
            && slot.Tgid == (uint)id.Pid && slot.StartNs == id.StartNs)
        {
            sent += slot.SentBytes;
            received += slot.ReceivedBytes;
        }
        var before = last.GetValueOrDefault(id);
        var now = (Math.Max(before.Sent, sent), Math.Max(before.Received, received));
        last[id] = now;
        return now;
    }

    /// <summary>Forgets the processes not in <paramref name="present"/> (their entries were deleted).</summary>
    public void Retain(IReadOnlySet<ProcessIdentity> present)
    {
        if (last.Count == present.Count)
            return;
        foreach (var id in last.Keys.Where(k => !present.Contains(k)).ToArray())
            last.Remove(id);
    }
}
