using Ebpf.Examples.Tcptop.Cgroups;
using Ebpf.Examples.Tcptop.Kernel;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// A live process's bytes, read while it sends (the per-process slot, not the exit fold): they only grow from one read
/// to the next and end exactly at what it sent. Moved to another cgroup mid-run (cgroup_attach_task, since the hot path
/// no longer reads the cgroup), its entry takes the new cgroup while it still runs.
/// </summary>
[Collection(TcptopCollection.Name)]
public sealed class TcptopLiveBytesTests
{
    private const long Bytes = 600_000;

    [Fact]
    public void LiveBytesGrowMonotonicallyAndFollowACgroupMove()
    {
        Kernel.RequireRoot();
        using var tracer = new TcpTracer(new TracerOptions());
        using var first = new TempCgroup("tlf");
        using var second = new TempCgroup("tls");
        using var receivers = new TempCgroup("tlr");
        var names = new CgroupNames();
        var comm = TcpPeers.Comm("live");
        var (server, port) = TcpPeers.Serve(receivers, null, TcpPeers.Comm("liverx"), "127.0.0.1");
        using (server)
        using (var client = TcpPeers.SendPaced(first, comm, "127.0.0.1", port, Bytes, 10_000, 50)) // 60 writes over 3 s
        {
            var readings = new List<ulong>();
            ProcessEntry? Entry() => tracer.Read().Processes.SingleOrDefault(p => p.Comm == comm);
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            ProcessEntry? live = null;
            while (DateTime.UtcNow < until && (live = Entry()) is not { SentBytes: > 0 })
                Thread.Sleep(50);
            Assert.True(live is { SentBytes: > 0, Exited: false }, "the sender's entry never showed bytes while it ran");
            Assert.Equal(names.IdOf(first.Path), live.CgroupId);
            readings.Add(live.SentBytes);

            second.MovePid(client.Id);
            ProcessEntry? moved = null;
            while (DateTime.UtcNow < until && (moved = Entry()) is { Exited: false } && moved.CgroupId != names.IdOf(second.Path))
                Thread.Sleep(20);
            Assert.True(moved is { Exited: false }, "the sender finished before its move was seen: the traffic is too short");
            Assert.Equal(names.IdOf(second.Path), moved.CgroupId);

            while (!client.HasExited && DateTime.UtcNow < until)
            {
                readings.Add(Entry()!.SentBytes);
                Thread.Sleep(100);
            }
            Assert.Equal(Bytes, TcpPeers.Result(client, "sent"));
            Assert.True(readings.Count >= 3, $"only {readings.Count} readings while the sender ran");
            for (var i = 1; i < readings.Count; i++)
                Assert.True(readings[i] >= readings[i - 1], $"reading {i} went down: {string.Join(", ", readings)}");
            Assert.True(readings[0] < Bytes, "the first reading came after the last write: it did not test the live path");
        }
        var done = Assert.Single(tracer.Read().Processes, p => p.Comm == comm);
        Assert.True(done.Exited);
        Assert.Equal((ulong)Bytes, done.SentBytes);
        Assert.Equal(names.IdOf(second.Path), done.CgroupId);
    }
}
