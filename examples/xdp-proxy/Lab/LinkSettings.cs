using System.Globalization;
using Ebpf.Examples.XdpProxy.Linux;

namespace Ebpf.Examples.XdpProxy.Lab;

/// <summary>
/// Kernel settings of the lab's veth ends. They are set when the lab comes up, so every benchmarked
/// path (direct, XDP native and generic, nginx stream) runs on the same links; docs/xdp-proxy.md
/// and docs/benchmarks.md give the measurements behind each.
/// </summary>
internal static class LinkSettings
{
    /// <summary>
    /// tx checksum offload off. An offloaded veth frame carries only a partial TCP checksum, which
    /// the program's incremental update would turn into garbage (and the receiver would not check it,
    /// hiding errors). Turning it off also drops TSO, and only then does a veth hand frames to a
    /// receiver with GRO through that receiver's NAPI (see <see cref="ThreadedNapi"/>), so it is set
    /// on both ends of every link.
    /// </summary>
    public static void TxChecksumOff(string netns, string dev) =>
        Tool.InNetns(netns, "ethtool", "-K", dev, "tx", "off");

    /// <summary>
    /// XPS: CPU i transmits on queue i. A veth delivers a frame to the peer's receive queue with the
    /// index of the queue it was sent on, and without XPS the bridge sent nearly everything on queue 0
    /// (ethtool -S on the balancer: 20 million XDP packets on rx queue 0, 8 on queue 1), so one NAPI
    /// instance did all the balancing. Multi-queue NIC drivers set this mapping themselves; veth does not.
    /// </summary>
    public static void SpreadTxQueues(string netns, string dev, int queues)
    {
        for (var q = 0; q < queues; q++)
            WriteSysfs(netns, $"/sys/class/net/{dev}/queues/tx-{q}/xps_cpus", CpuMask(q));
    }

    /// <summary>
    /// GRO on (which gives a veth a NAPI instance even without XDP) and threaded NAPI. On one machine
    /// the receive work of a veth otherwise runs in the softirq of whichever process sent the frame:
    /// the balancer's packet processing (XDP, or the TCP receive in front of nginx) was billed to the
    /// backends' nginx workers and to wrk, which then queued for the CPU for milliseconds (perf sched).
    /// With NAPI threads the balancer host's receive work is scheduled as its own, as a separate
    /// balancer machine would do it on its own CPUs. Used for the balancer host's interface, whichever
    /// balancer runs there.
    /// </summary>
    public static void ThreadedNapi(string netns, string dev)
    {
        Tool.InNetns(netns, "ethtool", "-K", dev, "gro", "on");
        WriteSysfs(netns, $"/sys/class/net/{dev}/threaded", "1");
    }

    /// <summary>The kernel's cpumask text for CPU <paramref name="cpu"/> alone: hex, 32-bit groups separated by commas.</summary>
    internal static string CpuMask(int cpu)
    {
        var groups = new string[cpu / 32 + 1];
        for (var g = 0; g < groups.Length; g++)
            groups[g] = g == cpu / 32 ? (1u << (cpu % 32)).ToString("x", CultureInfo.InvariantCulture) : "00000000";
        // Most significant group first; the leading group needs no zero padding.
        return string.Join(',', groups.Reverse());
    }

    // sysfs shows the devices of the namespace it was mounted in, and `ip netns exec` mounts a fresh
    // one, so the write has to happen in a process started there.
    private static void WriteSysfs(string netns, string path, string value) =>
        Tool.InNetns(netns, "sh", "-c", $"echo {value} > {path}");
}
