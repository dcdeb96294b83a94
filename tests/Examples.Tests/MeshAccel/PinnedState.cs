using Ebpf.Examples.MeshAccel.Agent;
using Ebpf.Examples.MeshAccel.Commands;
using Ebpf.Maps;

namespace Ebpf.Examples.Tests.MeshAccel;

/// <summary>What an installed mesh-accel holds, read from its pins as `mesh-accel stats` reads them.</summary>
internal static class PinnedState
{
    public static int Entries(PinLayout pins, string map) => StatsCommand.CountEntries(pins.Map(map));

    public static MeshStats Counters(PinLayout pins)
    {
        using var map = BpfMap.OpenPinned(pins.Map("stats"));
        return MeshStats.Read(new PerCpuArrayMap<ulong>(map));
    }

    /// <summary>Polls until <paramref name="condition"/> holds (the kernel frees closed sockets' entries asynchronously).</summary>
    public static bool Eventually(Func<bool> condition, TimeSpan timeout) => SpinWait.SpinUntil(condition, timeout);
}
