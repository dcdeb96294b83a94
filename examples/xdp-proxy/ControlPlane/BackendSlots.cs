using System.Net;

namespace Ebpf.Examples.XdpProxy.ControlPlane;

public enum SlotState { Empty, Active, Draining }

/// <summary>One entry of the program's `backends` array as the control plane sees it.</summary>
internal sealed class BackendSlot(int index)
{
    public int Index { get; } = index;
    public IPEndPoint? Endpoint { get; set; }
    public SlotState State { get; set; }
    public byte[] Mac { get; set; } = new byte[6];
    /// <summary>When it was removed (for reusing the longest-drained slot first).</summary>
    public long RemovedAt { get; set; }
}

/// <summary>
/// Which backend sits in which slot of the `backends` map. A removed backend keeps its slot as
/// draining, so the flows it already serves continue; the slot is reused only when no empty slot
/// is left (the program notices the reuse: a flow remembers its backend's address).
/// </summary>
internal sealed class BackendSlots
{
    private readonly BackendSlot[] slots;
    private long removals;

    public BackendSlots(int capacity) =>
        slots = Enumerable.Range(0, capacity).Select(i => new BackendSlot(i)).ToArray();

    public IReadOnlyList<BackendSlot> All => slots;
    public IEnumerable<BackendSlot> Active => slots.Where(s => s.State == SlotState.Active);

    public BackendSlot? Find(IPEndPoint endpoint) => slots.FirstOrDefault(s => endpoint.Equals(s.Endpoint));

    /// <summary>Makes <paramref name="endpoint"/> an active backend and returns its slot.</summary>
    public BackendSlot Add(IPEndPoint endpoint)
    {
        var slot = Find(endpoint);
        if (slot is { State: SlotState.Active })
            throw new ArgumentException($"backend {endpoint} is already in the balancer");
        slot ??= slots.FirstOrDefault(s => s.State == SlotState.Empty)
                 ?? slots.Where(s => s.State == SlotState.Draining).MinBy(s => s.RemovedAt)
                 ?? throw new ArgumentException($"all {slots.Length} backend slots are in use (MAX_BACKENDS in xdp-proxy.bpf.c)");
        slot.Endpoint = endpoint;
        slot.State = SlotState.Active;
        return slot;
    }

    /// <summary>Takes <paramref name="endpoint"/> out of the Maglev table; its existing flows drain.</summary>
    public BackendSlot Remove(IPEndPoint endpoint)
    {
        var slot = Find(endpoint);
        if (slot is not { State: SlotState.Active })
            throw new ArgumentException($"backend {endpoint} is not in the balancer (active: {string.Join(", ", Active.Select(s => s.Endpoint))})");
        slot.State = SlotState.Draining;
        slot.RemovedAt = ++removals;
        return slot;
    }

    /// <summary>
    /// The Maglev table over the active backends, as the program stores it: slot + 1, 0 for none.
    /// </summary>
    public uint[] BuildTable()
    {
        var active = Active.ToArray();
        var table = Maglev.Build(active.Select(s => s.Endpoint!.ToString()).ToArray());
        return table.Select(i => i < 0 ? 0u : (uint)active[i].Index + 1).ToArray();
    }
}
