using System.Net;
using System.Text.Json.Serialization;
using Ebpf.Examples.XdpProxy.DataPlane;
using Ebpf.Examples.XdpProxy.Linux;

namespace Ebpf.Examples.XdpProxy.ControlPlane;

/// <summary>
/// The control plane: owns the program's maps (the only writer, so changes never race), computes the
/// Maglev table and writes only the entries that change, and keeps the backends' next-hop MACs in step
/// with the kernel's neighbour table.
/// </summary>
internal sealed class Balancer : IDisposable
{
    private readonly ProxyDataPlane plane;
    private readonly BalancerOptions options;
    private readonly BackendSlots slots;
    private readonly object gate = new();
    private readonly Func<IPAddress, TimeSpan, byte[]> resolveMac;
    private uint[] table;

    /// <param name="resolveMac">Next-hop MAC of a backend; by default the kernel's neighbour table in options.Netns.</param>
    public Balancer(ProxyDataPlane plane, BalancerOptions options, Func<IPAddress, TimeSpan, byte[]>? resolveMac = null)
    {
        this.plane = plane;
        this.options = options;
        this.resolveMac = resolveMac ?? ((ip, timeout) => Neighbours.Resolve(ip, options.Netns, timeout).Mac);
        slots = new BackendSlots(plane.MaxBackends);
        table = new uint[Maglev.Size];
    }

    public IPAddress SnatAddress { get; private set; } = IPAddress.None;

    /// <summary>The live Maglev table as the program has it (slot + 1, 0 = none).</summary>
    public IReadOnlyList<uint> Table
    {
        get { lock (gate) return table; }
    }

    /// <summary>The slot a backend occupies (active or draining), or -1.</summary>
    public int SlotOf(IPEndPoint endpoint)
    {
        lock (gate) return slots.Find(endpoint)?.Index ?? -1;
    }

    /// <summary>Fills the maps, then attaches: the program never sees a half-written configuration.</summary>
    public void Start()
    {
        Configure();
        plane.Attach(options.Interface, options.Netns, options.Mode);
    }

    /// <summary>Writes configuration, backends and Maglev table into the maps, without attaching.</summary>
    public void Configure()
    {
        if (options.NatPortMin < 1 || options.NatPortMax > 65535 || options.NatPortMax < options.NatPortMin)
            throw new ArgumentException($"NAT port range {options.NatPortMin}-{options.NatPortMax} is not a valid range of ports");
        if (options.Backends.Count == 0)
            throw new ArgumentException("give at least one --backend");
        lock (gate)
        {
            foreach (var be in options.Backends)
                AddLocked(be);
            SnatAddress = options.Snat ?? Neighbours.Resolve(options.Backends[0].Address, options.Netns, TimeSpan.FromSeconds(1)).PreferredSource
                          ?? throw new ToolException($"cannot tell the balancer's own address on {options.Interface}: pass --snat IP");
            plane.Skel.Maps.Config.Update(0, new XdpProxySkel.Config
            {
                Vip = Wire.Ip(options.Vip),
                SnatIp = Wire.Ip(SnatAddress),
                Port = Wire.Port(options.Port),
                NatPortMin = (ushort)options.NatPortMin,
                NatPortCount = (ushort)(options.NatPortMax - options.NatPortMin + 1),
            });
        }
    }

    public string Add(IPEndPoint endpoint)
    {
        lock (gate)
        {
            var slot = AddLocked(endpoint);
            return $"added {endpoint} in slot {slot.Index}";
        }
    }

    public string Remove(IPEndPoint endpoint)
    {
        lock (gate)
        {
            var slot = slots.Remove(endpoint);
            // Table first, so no new flow picks the backend; then mark it draining (its flows continue).
            var moved = PublishTable();
            WriteSlot(slot);
            return $"removed {endpoint} (slot {slot.Index} drains its existing connections; {moved} table entries moved)";
        }
    }

    /// <summary>
    /// Re-reads next-hop MACs (a backend's MAC or route may change while running). A backend whose
    /// neighbour entry is gone for now keeps its last MAC; the problems are returned for the caller to show.
    /// </summary>
    public IReadOnlyList<string> RefreshNeighbours()
    {
        var problems = new List<string>();
        lock (gate)
        {
            foreach (var slot in slots.All.Where(s => s.State != SlotState.Empty))
            {
                byte[] mac;
                try
                {
                    mac = resolveMac(slot.Endpoint!.Address, TimeSpan.FromMilliseconds(200));
                }
                catch (ToolException e)
                {
                    problems.Add(e.Message);
                    continue;
                }
                if (!mac.AsSpan().SequenceEqual(slot.Mac))
                {
                    slot.Mac = mac;
                    WriteSlot(slot);
                }
            }
        }
        return problems;
    }

    public BalancerSnapshot Snapshot()
    {
        lock (gate)
        {
            var share = table.Where(v => v != 0).GroupBy(v => (int)v - 1).ToDictionary(g => g.Key, g => g.Count());
            var backends = slots.All.Where(s => s.State != SlotState.Empty).Select(s =>
            {
                var c = plane.Counters(s.Index);
                return new BackendSnapshot(s.Index, s.Endpoint!.ToString(), s.State.ToString().ToLowerInvariant(),
                    share.GetValueOrDefault(s.Index), c.PacketsToBackend, c.BytesToBackend, c.PacketsToClient, c.BytesToClient);
            }).ToArray();
            return new BalancerSnapshot(options.Interface, options.Netns, $"{options.Vip}:{options.Port}", SnatAddress.ToString(),
                options.Mode.ToString().ToLowerInvariant(), backends,
                plane.Stat(XdpProxySkel.Stat.StatPassed), plane.Stat(XdpProxySkel.Stat.StatNoBackend), plane.Stat(XdpProxySkel.Stat.StatNatExhausted),
                plane.ProgramRunTime.TotalMilliseconds);
        }
    }

    public void Dispose() => plane.Dispose();

    private BackendSlot AddLocked(IPEndPoint endpoint)
    {
        var mac = resolveMac(endpoint.Address, TimeSpan.FromSeconds(2));
        var slot = slots.Add(endpoint);
        slot.Mac = mac;
        // The slot first, so that the table never points at a backend the program cannot reach.
        WriteSlot(slot);
        PublishTable();
        return slot;
    }

    private void WriteSlot(BackendSlot slot)
    {
        var entry = new XdpProxySkel.Backend
        {
            Ip = Wire.Ip(slot.Endpoint!.Address),
            Port = Wire.Port(slot.Endpoint.Port),
            Flags = (uint)(slot.State switch { SlotState.Active => XdpProxySkel.BackendFlags.BackendActive, SlotState.Draining => XdpProxySkel.BackendFlags.BackendDraining, _ => default }),
        };
        slot.Mac.CopyTo(entry.Mac);
        plane.Skel.Maps.Backends.Update((uint)slot.Index, entry);
    }

    /// <summary>Writes the entries of the new table that differ from the live one; returns how many.</summary>
    private int PublishTable()
    {
        var next = slots.BuildTable();
        var changes = new List<(int Index, uint Value)>();
        for (var i = 0; i < next.Length; i++)
            if (next[i] != table[i])
                changes.Add((i, next[i]));
        foreach (var (index, value) in changes)
            plane.Skel.Maps.Maglev.Update((uint)index, value);
        table = next;
        return changes.Count;
    }
}

public sealed record BackendSnapshot(
    int Slot, string Backend, string State, int TableEntries,
    ulong PacketsToBackend, ulong BytesToBackend, ulong PacketsToClient, ulong BytesToClient);

public sealed record BalancerSnapshot(
    string Interface, string? Netns, string Vip, string Snat, string Mode, BackendSnapshot[] Backends,
    ulong Passed, ulong NoBackend, ulong NatExhausted, double ProgramCpuMs);

[JsonSerializable(typeof(BalancerSnapshot))]
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class SnapshotJson : JsonSerializerContext;
