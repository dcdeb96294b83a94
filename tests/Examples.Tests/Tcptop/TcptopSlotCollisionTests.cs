using Ebpf.Examples.Tcptop.Kernel;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// The hot path keeps a process's bytes in `slots`, indexed by tgid modulo 65536. Above that only a pid_max over 65536
/// can give two live processes one slot; the second then counts in its procs entry (the slow path). The test raises
/// pid_max for its run (restored afterwards), keeps a sender alive with PID P and starts another with exactly
/// P + 65536 (clone3 with set_tid): both totals are exact and the slow path is counted.
/// </summary>
[Collection(TcptopCollection.Name)]
public sealed class TcptopSlotCollisionTests
{
    private const string PidMax = "/proc/sys/kernel/pid_max";
    private const int Slots = 65536;

    [Fact]
    public void TwoLiveProcessesSharingASlotAreBothCountedExactly()
    {
        Kernel.RequireRoot();
        const long holderBytes = 300_000, collidingBytes = 77_777;
        var oldPidMax = File.ReadAllText(PidMax).Trim();
        try
        {
            File.WriteAllText(PidMax, (2 * Slots + 4096).ToString());
            using var tracer = new TcpTracer(new TracerOptions());
            using var senders = new TempCgroup("tsc");
            using var receivers = new TempCgroup("tscr");
            var holderComm = TcpPeers.Comm("slothold");
            var collidingComm = TcpPeers.Comm("slotcoll");
            var slowBefore = tracer.Read().SlowPathEvents;

            var (holderServer, holderPort) = TcpPeers.Serve(receivers, null, TcpPeers.Comm("slotrx"), "127.0.0.1");
            var (collidingServer, collidingPort) = TcpPeers.Serve(receivers, null, TcpPeers.Comm("slotrx2"), "127.0.0.1");
            using (holderServer)
            using (collidingServer)
            using (var holder = TcpPeers.SendPaced(senders, holderComm, "127.0.0.1", holderPort, holderBytes, 10_000, 50)) // 30 writes over 1.5 s
            {
                // The holder owns its slot once its first bytes are counted there.
                var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
                while (DateTime.UtcNow < until && tracer.Read().Processes.SingleOrDefault(p => p.Comm == holderComm) is not { SentBytes: > 0 })
                    Thread.Sleep(20);
                Assert.False(holder.HasExited, "the holder finished before its bytes were seen: the traffic is too short");

                var collidingPid = holder.Id + Slots;
                using (var colliding = TcpPeers.SendAs(senders, collidingPid, collidingComm, "127.0.0.1", collidingPort, collidingBytes))
                {
                    var printed = TcpPeers.Results(colliding);
                    Assert.Equal((long)collidingPid, printed["pid"]);
                    Assert.Equal(collidingBytes, printed["sent"]);
                }
                Assert.False(holder.HasExited, "the holder exited before the colliding process ran: the slot was free, nothing collided");
                Assert.Equal(holderBytes, TcpPeers.Result(holder, "sent"));
                Assert.Equal(holderBytes, TcpPeers.Result(holderServer, "received"));
                Assert.Equal(collidingBytes, TcpPeers.Result(collidingServer, "received"));
            }

            var snapshot = tracer.Read();
            var holderEntry = Assert.Single(snapshot.Processes, p => p.Comm == holderComm);
            var collidingEntry = Assert.Single(snapshot.Processes, p => p.Comm == collidingComm);
            Assert.Equal(collidingEntry.Id.Pid % Slots, holderEntry.Id.Pid % Slots);
            Assert.Equal((ulong)holderBytes, holderEntry.SentBytes);
            Assert.Equal((ulong)collidingBytes, collidingEntry.SentBytes);
            Assert.True(snapshot.SlowPathEvents > slowBefore, "the colliding process's sends were not counted on the slow path");
        }
        finally
        {
            File.WriteAllText(PidMax, oldPidMax);
        }
    }
}
