using System.Globalization;
using System.Text.RegularExpressions;
using Ebpf.Build.Tasks.Tests;
using Ebpf.TestKit;

namespace Ebpf.Templates.Tests;

/// <summary>
/// ebpf-xdp from the packed template: builds outside the repository, its own tests pass, and its app attached to one end
/// of a veth pair between two namespaces counts exactly the UDP datagrams sent from the other end.
/// </summary>
[Collection(TemplateRuns.Name)]
public sealed class XdpTemplateTests(TemplatePackages packages)
{
    private const int Datagrams = 25;
    private const int FrameBytes = 14 + 20 + 8 + 5;   // Ethernet, IPv4, UDP, "hello"

    [Fact]
    public void A_new_xdp_project_builds_passes_its_tests_and_counts_the_packets_a_veth_receives()
    {
        Kernel.RequireRoot();
        using var instance = packages.Instantiate("ebpf-xdp", "Acme.PacketCount");
        instance.AssertReferencesPackagesAt(packages.Version);
        instance.Build();
        Assert.True(instance.Test() >= 2, "the template's test project has at least two tests");

        using var receiver = new NetNamespace("xr");
        using var sender = new NetNamespace("xs");
        using var veth = new VethPair(receiver, "10.213.7.1/24", sender, "10.213.7.2/24");
        // A permanent neighbour entry: the sender sends no ARP request, so the receiver gets exactly the datagrams.
        var mac = receiver.Check("cat", $"/sys/class/net/{veth.NameA}/address").Trim();
        sender.Check("ip", "neigh", "replace", "10.213.7.1", "lladdr", mac, "dev", veth.NameB, "nud", "permanent");

        using var app = RunningApp.Start("ip", "netns", "exec", receiver.Name, DotnetCli.DotnetPath(), instance.AppDll,
                                         "--iface", veth.NameA, "--interval", "1");
        app.WaitForLine(l => l.StartsWith($"Counting packets received on {veth.NameA}", StringComparison.Ordinal),
                        TimeSpan.FromSeconds(60), "that it attached");
        sender.Check("bash", "-c", $"for i in $(seq {Datagrams}); do printf hello > /dev/udp/10.213.7.1/9; done");
        var udpRow = $@"^\s*IPv4/UDP\s+{Datagrams}\s+{Number(Datagrams * FrameBytes)}\s*$";
        app.WaitForLine(l => Regex.IsMatch(l, udpRow), TimeSpan.FromSeconds(30), $"{Datagrams} UDP packets in a periodic table");
        Assert.Equal(0, app.Terminate(TimeSpan.FromSeconds(30)));

        var totals = app.Lines.SkipWhile(l => !l.StartsWith("Totals after", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(totals);
        Assert.Matches(@"^\s*protocol\s+packets\s+bytes\s*$", totals[1]);
        // Exactly the datagrams, and no other IPv4 packet reached the receiver (IPv6 router and multicast
        // listener messages may, which is why only IPv4 is checked whole).
        Assert.Equal([$"IPv4/UDP {Datagrams} {Number(Datagrams * FrameBytes)}"],
                     totals.Where(l => l.TrimStart().StartsWith("IPv4/", StringComparison.Ordinal))
                           .Select(l => Regex.Replace(l.Trim(), @"\s+", " ")));
    }

    private static string Number(int n) => n.ToString("#,0", CultureInfo.InvariantCulture);
}
