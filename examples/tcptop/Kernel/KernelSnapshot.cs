using System.Net;

namespace Ebpf.Examples.Tcptop.Kernel;

/// <summary>A process as the kernel map holds it: identity (tgid, start time) and cumulative counters since attach.</summary>
internal readonly record struct ProcessIdentity(int Pid, ulong StartNs);

internal sealed record ProcessEntry(
    ProcessIdentity Id, string Comm, ulong CgroupId,
    ulong SentBytes, ulong ReceivedBytes, ulong OpenedActive, ulong OpenedPassive, ulong Closed, ulong RetransmittedSegments,
    bool Exited);

/// <summary>A cgroup's connection counters and RTT histogram (slot i: [2^i, 2^(i+1)) microseconds).</summary>
internal sealed record CgroupEntry(
    ulong CgroupId, ulong OpenedActive, ulong OpenedPassive, ulong Closed, ulong RetransmittedSegments, ulong[] RttSlots);

internal readonly record struct ConnectionKey(ProcessIdentity Process, IPEndPoint Local, IPEndPoint Remote);

internal sealed record ConnectionEntry(
    ConnectionKey Key, string Comm, ulong CgroupId, ulong SentBytes, ulong ReceivedBytes, ulong RetransmittedSegments, bool Closed);

/// <summary>How full one map is, and how many inserts it refused.</summary>
internal sealed record MapFill(string Name, int Entries, int MaxEntries, ulong FailedInserts);

/// <summary>One read of every map.</summary>
internal sealed record KernelSnapshot(
    IReadOnlyList<ProcessEntry> Processes,
    IReadOnlyList<CgroupEntry> Cgroups,
    IReadOnlyList<ConnectionEntry> Connections,
    IReadOnlyList<MapFill> Maps,
    ulong SocketStorageFailures,
    ulong SlowPathEvents);
