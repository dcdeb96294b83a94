using System.Diagnostics;
using Ebpf.Examples.Linux;
using Ebpf.Examples.MeshAccel.Lab;
using Xunit;

namespace Ebpf.Examples.Tests.MeshAccel;

/// <summary>
/// IPv6 in dual-stack pods. HAProxy asks SO_ORIGINAL_DST for IPv4 only, so here `mesh-accel probe listen` stands in for
/// the sidecar's listener: it calls IP6T_SO_ORIGINAL_DST on the accepted IPv6 socket and answers with what it got. Under
/// istio-iptables conntrack answers; under mesh-accel the getsockopt program does. Both must name the address called.
/// </summary>
[Collection(MeshAccelCollection.Name)]
public sealed class MeshIpv6Tests
{
    [Fact]
    public void UnderIptablesAnAcceptedIpv6SocketGetsItsOriginalDestination() => Check(LabMode.Iptables);

    [Fact]
    public void UnderMeshAccelAnAcceptedIpv6SocketGetsItsOriginalDestination() => Check(LabMode.Ebpf);

    private static void Check(LabMode mode)
    {
        using var lab = new LabUnderTest(mode);
        var pod0 = lab.Layout.Pod("pod0");
        var pod1 = lab.Layout.Pod("pod1");

        // Outbound: pod0's app to pod1's IPv6 address, redirected to [::1]:15001 in pod0.
        Assert.Equal($"[{pod1.Ipv6}]:80", OriginalDestinationSeen(lab, pod0, 15001, pod0, asProxy: false, $"http://[{pod1.Ipv6}]/"));
        // Inbound: pod0's sidecar to pod1, captured into pod1's :15006.
        Assert.Equal($"[{pod1.Ipv6}]:80", OriginalDestinationSeen(lab, pod1, 15006, pod0, asProxy: true, $"http://[{pod1.Ipv6}]/"));
    }

    private static bool Listening(LabHost host, int port) =>
        Tool.TryRun("ip", "netns", "exec", host.Netns, "ss", "-Hltn6", $"sport = :{port}").Stdout.Trim().Length > 0;

    /// <summary>Starts the probe on <paramref name="port"/> in <paramref name="listener"/>'s pod, calls from <paramref name="caller"/>, returns the probe's "orig=".</summary>
    private static string OriginalDestinationSeen(LabUnderTest lab, LabHost listener, int port, LabHost caller, bool asProxy, string url)
    {
        using var probe = PodCommand.Start(listener, "dotnet",
            Path.Combine(AppContext.BaseDirectory, "mesh-accel.dll"), "probe", "listen", "--port", port.ToString(), "--family", "6", "--count", "1");
        try
        {
            Assert.True(SpinWait.SpinUntil(() => probe.HasExited || Listening(listener, port), TimeSpan.FromSeconds(30)) && !probe.HasExited,
                        $"the probe did not start listening on [::]:{port} in {listener.Netns}");
            string[] curl = ["curl", "-sS", "-g", "--http0.9", "--max-time", "5", url];
            var client = PodCommand.Run(caller, TimeSpan.FromSeconds(30), asProxy ? "setpriv" : curl[0],
                asProxy ? ["--reuid", "1337", "--regid", "1337", "--clear-groups", .. curl] : curl[1..]);
            var (answer, error) = (client.StandardOutput, client.StandardError);
            var orig = answer.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(w => w.StartsWith("orig=", StringComparison.Ordinal));
            Assert.True(orig is not null, $"{lab.Mode}: no answer from the probe for {url} ({error.Trim()}); agent:\n{lab.Agent?.Transcript}");
            return orig["orig=".Length..];
        }
        finally
        {
            if (!probe.HasExited)
                probe.Kill();
            probe.WaitForExit();
        }
    }
}
