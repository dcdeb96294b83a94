using System.Diagnostics;
using Ebpf.Examples.Linux;
using Ebpf.Examples.MeshAccel;
using Ebpf.Examples.MeshAccel.Agent;
using Ebpf.Examples.MeshAccel.Lab;
using Xunit;

namespace Ebpf.Examples.Tests.MeshAccel;

/// <summary>
/// Bytes through spliced pairs arrive whole and in order. pod0's app to pod1's: app to pod0's sidecar (loopback), sidecar
/// to pod1's sidecar (across the two pods' namespaces), pod1's sidecar to its app (127.0.0.6): all three hops are in the
/// sockmap, and the splice counters show the bytes went through sk_msg.
/// </summary>
[Collection(MeshAccelCollection.Name)]
public sealed class MeshIntegrityTests
{
    [Fact]
    public void EchoedAndDownloadedBytesArriveWholeThroughSplicedPairs()
    {
        using var lab = new LabUnderTest(LabMode.Ebpf);
        var pod0 = lab.Layout.Pod("pod0");
        var pod1 = lab.Layout.Pod("pod1");
        using var echo = PodCommand.Start(pod1, "dotnet", Path.Combine(AppContext.BaseDirectory, "mesh-accel.dll"), "probe", "echo", "--port", "9000");
        try
        {
            Assert.True(SpinWait.SpinUntil(() => Tool.TryRun("ip", "netns", "exec", pod1.Netns, "ss", "-Hltn", "sport = :9000").Stdout.Trim().Length > 0,
                                           TimeSpan.FromSeconds(30)), "the echo server did not start");
            var before = PinnedState.Counters(lab.Pins);

            EchoCheck(pod0, pod1, 8 << 20, 1);          // 8 MiB each way
            foreach (var size in new[] { 40_000, 50_000, 65_535 })
                EchoCheck(pod0, pod1, size, 4);
            EchoCheck(pod0, pod1, 65_536, 200);         // 200 connections at once

            foreach (var size in AppServer.FileSizes)  // responses from nginx through both sidecars
                Assert.True(AppServer.Body(size).AsSpan().SequenceEqual(Download(pod0, $"http://{pod1.Ipv4}/files/{size}")), $"/files/{size} differs");

            var d = PinnedState.Counters(lab.Pins).Since(before);
            // Each of the three hops carries the 8 MiB both ways, and the downloads once more.
            Assert.True(d[MeshAccelSkel.SpliceStat.StatRedirectedBytes] >= 6UL * (8 << 20), $"spliced {d[MeshAccelSkel.SpliceStat.StatRedirectedBytes]} bytes; counters: {string.Join(", ", d.Named())}");
            Assert.Equal(0UL, d[MeshAccelSkel.SpliceStat.StatSocketsFailed]);
        }
        finally
        {
            if (!echo.HasExited)
                echo.Kill();
            echo.WaitForExit();
        }
    }

    private static void EchoCheck(LabHost from, LabHost to, int bytes, int connections)
    {
        var r = PodCommand.Run(from, TimeSpan.FromMinutes(3), "dotnet", Path.Combine(AppContext.BaseDirectory, "mesh-accel.dll"), "probe", "echo-check",
            "--to", $"{to.Ipv4}:9000", "--bytes", bytes.ToString(), "--connections", connections.ToString());
        Assert.True(r.Succeeded, $"{connections} x {bytes} bytes: exit {r.ExitCode}, {r.StandardOutput} {r.StandardError}");
    }

    private static byte[] Download(LabHost from, string url)
    {
        var file = Path.GetTempFileName();
        try
        {
            var r = PodCommand.Run(from, TimeSpan.FromSeconds(90), "curl", "-sS", "--max-time", "60", "-o", file, url);
            Assert.True(r.Succeeded, $"{url}: {r.StandardError}");
            return File.ReadAllBytes(file);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
