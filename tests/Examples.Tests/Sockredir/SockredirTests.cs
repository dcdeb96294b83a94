using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ebpf.Examples.Sockredir.Redirector;
using static Ebpf.Examples.Sockredir.SockredirSkel.SpliceStat;

namespace Ebpf.Examples.Tests.Sockredir;

/// <summary>
/// The socket redirector on the real kernel, through the app's own loading path: every byte arrives, in order,
/// without touching loopback; both address families; connections it must leave alone; map hygiene under churn;
/// FIONREAD; and no large-message stall.
/// </summary>
[Collection(SockredirCollection.Name)]
public sealed class SockredirTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SixtyFourConnectionsEchoEightMiBBothWaysEveryByteIntactAndRedirected()
    {
        const int connections = 64;
        const long bytes = 8 << 20;
        using var lab = new SockredirLab();
        lab.Attach();
        var pairs = lab.Connect(connections, IPAddress.Loopback, IPAddress.Loopback);
        Assert.Equal(2 * connections, lab.Redirector.SocketCount());
        var before = lab.Redirector.ReadStats();
        var loBefore = lab.LoopbackTxBytes();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        await Task.WhenAll(pairs.SelectMany((p, i) => new[]
        {
            Streams.SendPatternAsync(p.Client, i, bytes, timeout.Token),
            Streams.EchoAsync(p.Server, i, bytes, timeout.Token),
            Streams.ReceivePatternAsync(p.Client, i, bytes, timeout.Token),
        }));

        var d = lab.Redirector.ReadStats().Since(before);
        Assert.Equal((ulong)(2 * connections * bytes), d[StatRedirectedBytes]);
        Assert.Equal(0UL, d[StatPassedNoPeer]);
        // 1 GiB moved; loopback saw at most the odd ACK, nowhere near the payload.
        Assert.True(lab.LoopbackTxBytes() - loBefore < 1 << 20, $"loopback carried {lab.LoopbackTxBytes() - loBefore} bytes");
    }

    [Fact]
    public async Task RedirectedBytesBypassLoopbackWhilePlainOnesCrossIt()
    {
        const int bytes = 16 << 20;
        using var lab = new SockredirLab();
        var payload = new byte[bytes];
        Streams.Fill(payload, bytes, 1, 0);

        async Task<long> Transfer()
        {
            var (client, server) = lab.Connect(1, IPAddress.Loopback, IPAddress.Loopback)[0];
            var lo = lab.LoopbackTxBytes();
            var reader = Task.Run(() => { var b = new byte[bytes]; Streams.ReadExactly(server, b); return b; }, Ct);
            Streams.WriteAll(client, payload);
            Assert.True((await reader).AsSpan().SequenceEqual(payload));
            return lab.LoopbackTxBytes() - lo;
        }

        var plain = await Transfer();
        lab.Attach();
        var redirected = await Transfer();
        Assert.True(plain >= bytes, $"plain TCP: loopback carried {plain} bytes for a {bytes}-byte transfer");
        Assert.True(redirected < bytes / 100, $"redirected: loopback carried {redirected} bytes for a {bytes}-byte transfer");
    }

    public static TheoryData<string, string> Families => new()
    {
        { "127.0.0.1", "127.0.0.1" },   // IPv4 both ends
        { "::1", "::1" },               // IPv6 both ends
        { "::", "127.0.0.1" },          // IPv4 client, dual-stack listener: the accepted socket is IPv6, v4-mapped
    };

    [Theory]
    [MemberData(nameof(Families))]
    public async Task BothAddressFamiliesAndV4MappedPeersAreRedirected(string listenOn, string connectTo)
    {
        const long bytes = 1 << 20;
        using var lab = new SockredirLab();
        lab.Attach();
        var (client, server) = lab.Connect(1, IPAddress.Parse(listenOn), IPAddress.Parse(connectTo))[0];
        var before = lab.Redirector.ReadStats();

        await Task.WhenAll(
            Streams.SendPatternAsync(client, 3, bytes, Ct),
            Streams.EchoAsync(server, 3, bytes, Ct),
            Streams.ReceivePatternAsync(client, 3, bytes, Ct));

        var d = lab.Redirector.ReadStats().Since(before);
        Assert.Equal((ulong)(2 * bytes), d[StatRedirectedBytes]);
        Assert.Equal(0UL, d[StatPassedNoPeer]);
    }

    [Fact]
    public async Task ConnectionOpenedBeforeAttachKeepsWorkingThroughTcp()
    {
        const long bytes = 4 << 20;
        using var lab = new SockredirLab();
        var (oldClient, oldServer) = lab.Connect(1, IPAddress.Loopback, IPAddress.Loopback)[0];
        lab.Attach();
        var (newClient, newServer) = lab.Connect(1, IPAddress.Loopback, IPAddress.Loopback)[0];
        Assert.Equal(2, lab.Redirector.SocketCount()); // the new pair only

        var before = lab.Redirector.ReadStats();
        var lo = lab.LoopbackTxBytes();
        await Task.WhenAll(
            Streams.SendPatternAsync(oldClient, 5, bytes, Ct),
            Streams.EchoAsync(oldServer, 5, bytes, Ct),
            Streams.ReceivePatternAsync(oldClient, 5, bytes, Ct));
        var d = lab.Redirector.ReadStats().Since(before);
        Assert.Equal(0UL, d[StatRedirectedBytes]); // never in the map: the program does not even run for it
        Assert.True(lab.LoopbackTxBytes() - lo >= 2 * bytes, "the old connection's bytes crossed loopback");

        await Task.WhenAll(
            Streams.SendPatternAsync(newClient, 6, bytes, Ct),
            Streams.EchoAsync(newServer, 6, bytes, Ct),
            Streams.ReceivePatternAsync(newClient, 6, bytes, Ct));
        Assert.Equal((ulong)(2 * bytes), lab.Redirector.ReadStats().Since(before)[StatRedirectedBytes]);
    }

    [Fact]
    public void FiveThousandShortConnectionsLeaveTheMapAsItWas()
    {
        const int connections = 5000;
        using var lab = new SockredirLab();
        lab.Attach();
        var baseline = lab.Redirector.SocketCount();
        var before = lab.Redirector.ReadStats();
        var one = new byte[1];
        for (var i = 0; i < connections; i++)
        {
            var (client, server) = lab.Connect(1, IPAddress.Loopback, IPAddress.Loopback)[0];
            one[0] = (byte)i;
            client.Send(one);
            var echo = new byte[1];
            Streams.ReadExactly(server, echo);
            Assert.Equal(one[0], echo[0]);
            client.Dispose();
            server.Dispose();
        }
        var d = lab.Redirector.ReadStats().Since(before);
        Assert.Equal((ulong)(2 * connections), d[StatSocketsAdded]);
        Assert.Equal((ulong)connections, d[StatRedirectedMsgs]);

        // The kernel unhashes a socket as it closes; allow a moment for the last ones.
        var deadline = Stopwatch.StartNew();
        while (lab.Redirector.SocketCount() != baseline && deadline.Elapsed < TimeSpan.FromSeconds(10))
            Thread.Sleep(50);
        Assert.Equal(baseline, lab.Redirector.SocketCount());
    }

    [Fact]
    public async Task FourMiBResponseIsAnnouncedByFionreadAndArrivesWhole()
    {
        const int bytes = 4 << 20;
        using var lab = new SockredirLab();
        lab.Attach();
        var (client, server) = lab.Connect(1, IPAddress.Loopback, IPAddress.Loopback)[0];
        var request = new byte[100];
        Streams.Fill(request, request.Length, 7, 0);
        var response = new byte[bytes];
        Streams.Fill(response, bytes, 8, 0);
        var before = lab.Redirector.ReadStats();

        var serverTask = Task.Run(() =>
        {
            var got = new byte[request.Length];
            Streams.ReadExactly(server, got);
            Streams.WriteAll(server, response);
        }, Ct);
        Streams.WriteAll(client, request);

        // FIONREAD (Socket.Available) must count redirected data, or poll-then-read clients (nginx) hang.
        var wait = Stopwatch.StartNew();
        while (client.Available == 0 && wait.Elapsed < TimeSpan.FromSeconds(10))
            Thread.Sleep(1);
        Assert.True(client.Available > 0, "FIONREAD stayed 0 for 10 s while a 4 MiB response was sent");

        var received = new byte[bytes];
        Streams.ReadExactly(client, received);
        await serverTask;
        Assert.Equal(-1, Streams.Mismatch(received, bytes, 8, 0));
        Assert.Equal((ulong)(bytes + request.Length), lab.Redirector.ReadStats().Since(before)[StatRedirectedBytes]);
    }

    [Theory]
    [InlineData(40000)]
    [InlineData(49152)]
    [InlineData(65535)]
    public void LargeRequestResponseDoesNotStall(int size)
    {
        // A naive program stalls each exchange of 40,000 to ~70,000 bytes for a delayed ACK (~20-40 ms; see
        // docs/sockredir.md) whenever a socket in the map passes a message to TCP. Nagle stays on, as in most
        // applications. 200 exchanges per run, against plain TCP in the same test.
        const int exchanges = 200, rounds = 5;
        using var lab = new SockredirLab();
        lab.Attach();
        var runs = new Dictionary<string, List<RequestResponse.Run>> { ["plain"] = [], ["redirected"] = [], ["passed"] = [] };
        var before = lab.Redirector.ReadStats();
        // Rounds interleave the modes, so a busy moment of the machine hits all of them alike; each mode's best round counts.
        for (var round = 0; round < rounds; round++)
        {
            // Neither end in the cgroup: plain TCP, the program never runs.
            runs["plain"].Add(RequestResponse.Exchanges(lab.Connect(1, IPAddress.Loopback, IPAddress.Loopback, serverInCgroup: false, clientInCgroup: false)[0], size, exchanges));
            runs["redirected"].Add(RequestResponse.Exchanges(lab.Connect(1, IPAddress.Loopback, IPAddress.Loopback)[0], size, exchanges));
            // The server in the map, the client not: every response is passed to TCP by the program.
            runs["passed"].Add(RequestResponse.Exchanges(lab.Connect(1, IPAddress.Loopback, IPAddress.Loopback, serverInCgroup: true, clientInCgroup: false)[0], size, exchanges));
        }
        var d = lab.Redirector.ReadStats().Since(before);

        Assert.True(d[StatRedirectedMsgs] >= rounds * 2 * exchanges, "the redirected runs were redirected");
        Assert.True(d[StatPassedNoPeer] + d[StatPassedTcpBound] >= rounds * exchanges, "the passed runs went through the program's pass path");
        var plain = runs["plain"].MinBy(r => r.Total)!;
        foreach (var mode in new[] { "redirected", "passed" })
        {
            var best = runs[mode].MinBy(r => r.Total)!;
            Assert.True(best.Total < 5 * plain.Total,
                $"{size} B, {exchanges} exchanges, best of {rounds}: {mode} {best} against plain {plain}");
        }
    }

    [Fact]
    public void WithoutTheContiguousPullThePassPathStalls()
    {
        // The counter-check of LargeRequestResponseDoesNotStall: the same program with pass_pull_max_bytes = 0
        // shows the stall, so that test's bound can fail and the pull is what removes the stall.
        const int size = 40000, exchanges = 20;
        using var lab = new SockredirLab(new RedirectorOptions { PassPullMaxBytes = 0 });
        lab.Attach();
        var plain = RequestResponse.Exchanges(lab.Connect(1, IPAddress.Loopback, IPAddress.Loopback, serverInCgroup: false, clientInCgroup: false)[0], size, exchanges);
        var passed = RequestResponse.Exchanges(lab.Connect(1, IPAddress.Loopback, IPAddress.Loopback, serverInCgroup: true, clientInCgroup: false)[0], size, exchanges);
        Assert.Equal(0UL, lab.Redirector.ReadStats()[StatPassPulled]);
        Assert.True(passed.Total > 5 * plain.Total, $"expected the stall: passed {passed} against plain {plain}");
        Assert.True(passed.P50Micros > 5_000, $"expected every exchange to wait for a delayed ACK: passed {passed}");
    }
}
